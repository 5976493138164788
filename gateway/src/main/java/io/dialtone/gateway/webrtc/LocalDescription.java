package io.dialtone.gateway.webrtc;

import java.net.InetSocketAddress;

/**
 * The gateway's SDP toward LiveKit: one bundled, RTCP-muxed transport with its ICE credentials, DTLS fingerprint and
 * its one host candidate (the gateway has a known address; it gathers nothing else).
 */
public final class LocalDescription {
    private LocalDescription() {
    }

    /**
     * The publisher's offer: one send-only audio section in {@code codec}, whose stream and track are both named
     * {@code trackCid}, the client id LiveKit's AddTrackRequest gave the track, and the data channels' section.
     */
    public static String audioOffer(IceAgent.Credentials ice, String fingerprint, InetSocketAddress candidate,
                                    RemoteDescription.Codec codec, long ssrc, String trackCid) {
        StringBuilder sdp = session(ice, "0 1");
        sdp.append("m=audio 9 UDP/TLS/RTP/SAVPF ").append(codec.payloadType()).append("\r\n")
                .append("c=IN IP4 0.0.0.0\r\n")
                .append(transport(ice, fingerprint, "actpass", candidate))
                .append("a=mid:0\r\n")
                .append("a=sendonly\r\n")
                .append("a=rtcp-mux\r\n")
                .append("a=rtpmap:").append(codec.payloadType()).append(' ').append(codec.name()).append('/')
                .append(codec.clockRate()).append("\r\n")
                .append("a=msid:").append(trackCid).append(' ').append(trackCid).append("\r\n")
                .append("a=ssrc:").append(ssrc).append(" cname:").append(trackCid).append("\r\n");
        application(sdp, ice, fingerprint, "actpass", candidate, "1");
        return sdp.toString();
    }

    /**
     * The subscriber's answer to LiveKit's offer: every section in the offer's order, audio received in its codec,
     * the data channels' section accepted, anything else (video) refused with port 0. This side is the DTLS client.
     */
    public static String answer(IceAgent.Credentials ice, String fingerprint, InetSocketAddress candidate,
                                OfferedSections offer) {
        StringBuilder body = new StringBuilder();
        java.util.List<String> bundled = new java.util.ArrayList<>();
        for (OfferedSections.Section section : offer.sections()) {
            boolean audio = section.kind().equals("audio") && section.codec().isPresent();
            boolean data = section.kind().equals("application") && section.protocol().endsWith("SCTP");
            if (section.port() == 0 || !(audio || data)) {
                body.append("m=").append(section.kind()).append(" 0 ").append(section.protocol()).append(' ')
                        .append(String.join(" ", section.formats())).append("\r\n")
                        .append("c=IN IP4 0.0.0.0\r\n")
                        .append("a=mid:").append(section.mid()).append("\r\n");
                continue;
            }
            bundled.add(section.mid());
            if (data) {
                application(body, ice, fingerprint, "active", candidate, section.mid());
                continue;
            }
            RemoteDescription.Codec codec = section.codec().orElseThrow();
            boolean sending = section.direction().equals("sendrecv") || section.direction().equals("sendonly");
            body.append("m=audio 9 UDP/TLS/RTP/SAVPF ").append(codec.payloadType()).append("\r\n")
                    .append("c=IN IP4 0.0.0.0\r\n")
                    .append(transport(ice, fingerprint, "active", candidate))
                    .append("a=mid:").append(section.mid()).append("\r\n")
                    .append(sending ? "a=recvonly\r\n" : "a=inactive\r\n")
                    .append("a=rtcp-mux\r\n")
                    .append("a=rtpmap:").append(codec.payloadType()).append(' ').append(codec.name()).append('/')
                    .append(codec.clockRate()).append(codec.name().equals("opus") ? "/2" : "").append("\r\n");
        }
        return session(ice, String.join(" ", bundled)).append(body).toString();
    }

    /** An application section for data channels over SCTP on port 5000 (RFC 8841). */
    private static void application(StringBuilder sdp, IceAgent.Credentials ice, String fingerprint, String setup,
                                    InetSocketAddress candidate, String mid) {
        sdp.append("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n")
                .append("c=IN IP4 0.0.0.0\r\n")
                .append(transport(ice, fingerprint, setup, candidate))
                .append("a=mid:").append(mid).append("\r\n")
                .append("a=sctp-port:").append(SctpAssociation.PORT).append("\r\n")
                .append("a=max-message-size:").append(SctpAssociation.MAX_MESSAGE).append("\r\n");
    }

    private static StringBuilder session(IceAgent.Credentials ice, String mids) {
        return new StringBuilder()
                .append("v=0\r\n")
                .append("o=- ").append(Math.abs(ice.ufrag().hashCode())).append(" 1 IN IP4 0.0.0.0\r\n")
                .append("s=-\r\n")
                .append("t=0 0\r\n")
                .append("a=group:BUNDLE ").append(mids).append("\r\n")
                .append("a=msid-semantic: WMS\r\n");
    }

    private static String transport(IceAgent.Credentials ice, String fingerprint, String setup,
                                    InetSocketAddress candidate) {
        String address = candidate.getAddress().getHostAddress();
        return "a=ice-ufrag:" + ice.ufrag() + "\r\n"
                + "a=ice-pwd:" + ice.password() + "\r\n"
                + "a=fingerprint:" + fingerprint + "\r\n"
                + "a=setup:" + setup + "\r\n"
                + "a=candidate:1 1 udp " + IceAgent.HOST_PRIORITY + " " + address + " " + candidate.getPort()
                + " typ host\r\n"
                + "a=end-of-candidates\r\n";
    }
}
