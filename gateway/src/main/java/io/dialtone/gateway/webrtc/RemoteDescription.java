package io.dialtone.gateway.webrtc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the gateway needs from LiveKit's SDP (RFC 8866, 8829): the ICE credentials, the DTLS fingerprint and role,
 * the UDP candidates, and the audio section's first codec. Session-level attributes apply where the media section
 * repeats none; only the first audio section counts, since LiveKit bundles everything on one transport.
 *
 * @param setup the remote a=setup value: "active", "passive" or "actpass"
 */
public record RemoteDescription(IceAgent.Credentials credentials, String fingerprint, String setup,
                                List<InetSocketAddress> candidates, Optional<Codec> audioCodec) {

    /** An rtpmap entry: payload type, encoding name as written, clock rate. */
    public record Codec(int payloadType, String name, int clockRate) {
    }

    /** Thrown for an SDP that lacks what a WebRTC transport needs. */
    public static final class InvalidDescription extends Exception {
        InvalidDescription(String message) {
            super(message);
        }
    }

    public static RemoteDescription parse(String sdp) throws InvalidDescription {
        String ufrag = null;
        String password = null;
        String fingerprint = null;
        String setup = null;
        List<InetSocketAddress> candidates = new ArrayList<>();
        Optional<Codec> codec = Optional.empty();
        String firstAudioType = null;
        boolean inAudio = false;
        boolean audioSeen = false;
        for (String line : sdp.split("\\r?\\n")) {
            if (line.startsWith("m=")) {
                inAudio = line.startsWith("m=audio ") && !audioSeen;
                if (inAudio) {
                    audioSeen = true;
                    String[] fields = line.split(" ");
                    firstAudioType = fields.length > 3 ? fields[3] : null;
                }
            } else if (line.startsWith("a=ice-ufrag:")) {
                ufrag = ufrag == null || inAudio ? line.substring(12).trim() : ufrag;
            } else if (line.startsWith("a=ice-pwd:")) {
                password = password == null || inAudio ? line.substring(10).trim() : password;
            } else if (line.startsWith("a=fingerprint:")) {
                fingerprint = fingerprint == null || inAudio ? line.substring(14).trim() : fingerprint;
            } else if (line.startsWith("a=setup:")) {
                setup = setup == null || inAudio ? line.substring(8).trim() : setup;
            } else if (line.startsWith("a=candidate:")) {
                candidate(line.substring(2)).ifPresent(candidates::add);
            } else if (inAudio && firstAudioType != null && line.startsWith("a=rtpmap:" + firstAudioType + " ")) {
                codec = codec(firstAudioType, line.substring(line.indexOf(' ') + 1));
            }
        }
        if (ufrag == null || password == null) {
            throw new InvalidDescription("the SDP has no a=ice-ufrag and a=ice-pwd");
        }
        if (fingerprint == null || !fingerprint.toLowerCase(java.util.Locale.ROOT).startsWith("sha-256 ")) {
            throw new InvalidDescription("the SDP has no SHA-256 a=fingerprint");
        }
        if (codec.isEmpty() && firstAudioType != null && firstAudioType.matches("[0-9]+")) {
            int type = Integer.parseInt(firstAudioType);
            codec = type == 0 ? Optional.of(new Codec(0, "PCMU", 8000))
                    : type == 8 ? Optional.of(new Codec(8, "PCMA", 8000)) : Optional.empty();
        }
        return new RemoteDescription(new IceAgent.Credentials(ufrag, password), fingerprint,
                setup == null ? "actpass" : setup, List.copyOf(candidates), codec);
    }

    private static Optional<Codec> codec(String payloadType, String encoding) {
        String[] parts = encoding.trim().split("/");
        try {
            return Optional.of(new Codec(Integer.parseInt(payloadType), parts[0],
                    parts.length > 1 ? Integer.parseInt(parts[1]) : 8000));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A UDP candidate ("candidate:foundation 1 udp priority address port typ ...") with a literal address; TCP
     * candidates, other components and names (mDNS) are not for this gateway, which reaches LiveKit over UDP.
     */
    public static Optional<InetSocketAddress> candidate(String attribute) {
        String[] fields = attribute.trim().split("\\s+");
        if (fields.length < 8 || !fields[0].startsWith("candidate:") || !fields[1].equals("1")
                || !fields[2].equalsIgnoreCase("udp") || !fields[6].equals("typ")) {
            return Optional.empty();
        }
        String host = fields[4];
        // Literals only, so that nothing here is ever looked up in DNS: four dotted decimals, or an IPv6 form (which
        // has a colon, and which InetAddress then parses without a lookup).
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.]*")) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(fields[5]);
            if (port < 1 || port > 65535) {
                return Optional.empty();
            }
            return Optional.of(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (NumberFormatException | java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
