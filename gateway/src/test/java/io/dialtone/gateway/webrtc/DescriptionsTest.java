package io.dialtone.gateway.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LiveKit's SDP as it comes (a subscriber offer of livekit-server 1.13.5), and the gateway's answers to it. */
class DescriptionsTest {
    private static final String OFFER = """
            v=0
            o=- 6977278613395669896 1796164236 IN IP4 0.0.0.0
            s=-
            t=0 0
            a=msid-semantic:WMS *
            a=fingerprint:sha-256 F6:C3:41:D7:31:AC:78:50:0E:3B:3D:42:52:BF:70:2E:D6:82:20:07:62:B8:CE:B4:56:BD:32:51:DC:C7:A2:47
            a=extmap-allow-mixed
            a=group:BUNDLE 0 1 2
            m=application 9 UDP/DTLS/SCTP webrtc-datachannel
            c=IN IP4 0.0.0.0
            a=setup:actpass
            a=mid:0
            a=sendrecv
            a=sctp-port:5000
            a=max-message-size:65535
            a=ice-ufrag:YOWBVTkVEJjHqTXt
            a=ice-pwd:LDDnSKTjEPDkCbFhWtCtaOLsNIWUQrmj
            a=candidate:1 1 udp 2130706431 10.201.0.1 50004 typ host
            a=candidate:2 1 tcp 1671430143 10.201.0.1 7881 typ host tcptype passive
            a=candidate:3 1 udp 2130706431 abcd.local 50004 typ host
            a=candidate:4 1 udp 2130706431 cafe 50004 typ host
            a=candidate:5 1 udp 2130706431 fd00::1 50006 typ host
            m=audio 9 UDP/TLS/RTP/SAVPF 111 0
            c=IN IP4 0.0.0.0
            a=setup:actpass
            a=mid:1
            a=ice-ufrag:YOWBVTkVEJjHqTXt
            a=ice-pwd:LDDnSKTjEPDkCbFhWtCtaOLsNIWUQrmj
            a=rtcp-mux
            a=rtpmap:111 opus/48000/2
            a=fmtp:111 minptime=10;useinbandfec=1
            a=rtpmap:0 PCMU/8000
            a=ssrc:3735928559 cname:PA_talker
            a=ssrc:3735928559 msid:PA_talker TR_AMtone
            a=msid:PA_talker TR_AMtone
            a=sendonly
            m=video 9 UDP/TLS/RTP/SAVPF 96
            c=IN IP4 0.0.0.0
            a=mid:2
            a=rtpmap:96 VP8/90000
            a=sendonly
            """;

    @Test
    void theOffersTransportCandidatesAndTracksAreRead() throws Exception {
        RemoteDescription remote = RemoteDescription.parse(OFFER);
        assertThat(remote.credentials()).isEqualTo(new IceAgent.Credentials("YOWBVTkVEJjHqTXt",
                "LDDnSKTjEPDkCbFhWtCtaOLsNIWUQrmj"));
        assertThat(remote.fingerprint()).startsWith("sha-256 F6:C3");
        assertThat(remote.setup()).isEqualTo("actpass");
        assertThat(remote.candidates()).as("UDP with a literal address only, never a name to look up")
                .containsExactly(new InetSocketAddress("10.201.0.1", 50004), new InetSocketAddress("fd00::1", 50006));
        OfferedSections sections = OfferedSections.parse(OFFER);
        assertThat(sections.sections()).extracting(OfferedSections.Section::mid).containsExactly("0", "1", "2");
        assertThat(sections.sections().get(1).codec()).contains(new RemoteDescription.Codec(111, "opus", 48000));
        assertThat(sections.tracksBySsrc()).isEqualTo(Map.of(3735928559L, "TR_AMtone"));
    }

    @Test
    void theAnswerMirrorsEverySectionAcceptsAudioAndDataAndRefusesVideo() throws Exception {
        IceAgent.Credentials ice = new IceAgent.Credentials("gwufrag1", "gatewaypasswordgatewaypassword");
        String answer = LocalDescription.answer(ice, "sha-256 AA:BB", new InetSocketAddress("10.201.0.2", 40000),
                OfferedSections.parse(OFFER));
        assertThat(answer).contains("a=group:BUNDLE 0 1\r\n", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", "a=rtpmap:111 opus/48000/2", "a=recvonly",
                "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n", "a=setup:active", "a=ice-ufrag:gwufrag1",
                "a=candidate:1 1 udp " + IceAgent.HOST_PRIORITY + " 10.201.0.2 40000 typ host");
        assertThat(answer.indexOf("a=mid:0")).isLessThan(answer.indexOf("a=mid:1"));
        assertThat(answer.indexOf("a=mid:1")).isLessThan(answer.indexOf("a=mid:2"));
        RemoteDescription back = RemoteDescription.parse(answer);
        assertThat(back.credentials()).isEqualTo(ice);
    }

    @Test
    void anAudioSectionWithoutOpusIsAnsweredInG711AndAnInactiveOneStaysInactive() throws Exception {
        String offer = OFFER.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "m=audio 9 UDP/TLS/RTP/SAVPF 0")
                .replace("a=rtpmap:111 opus/48000/2\n", "").replace("a=sendonly\nm=video", "a=inactive\nm=video");
        String answer = LocalDescription.answer(new IceAgent.Credentials("gwufrag1", "gatewaypasswordgatewaypassword"),
                "sha-256 AA:BB", new InetSocketAddress("10.201.0.2", 40000), OfferedSections.parse(offer));
        assertThat(answer).contains("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n", "a=rtpmap:0 PCMU/8000\r\n", "a=inactive");
    }

    @Test
    void anOfferWithoutWhatATransportNeedsIsRefusedWithAReason() {
        assertThatThrownBy(() -> RemoteDescription.parse("v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 0\na=mid:0\n"))
                .hasMessageContaining("ice-ufrag");
        assertThatThrownBy(() -> RemoteDescription.parse(OFFER.replace("a=fingerprint:sha-256", "a=fingerprint:md5")))
                .hasMessageContaining("SHA-256");
        assertThatThrownBy(() -> OfferedSections.parse("v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 0\n"))
                .hasMessageContaining("a=mid");
        assertThatThrownBy(() -> OfferedSections.parse("v=0\nm=audio x UDP/TLS/RTP/SAVPF 0\na=mid:0\n"))
                .hasMessageContaining("port");
    }

    @Test
    void thePublishersOfferCarriesOneSendOnlyTrackAndTheDataSection() {
        String offer = LocalDescription.audioOffer(new IceAgent.Credentials("gwufrag1", "gatewaypasswordgatewaypassword"),
                "sha-256 AA:BB", new InetSocketAddress("10.201.0.2", 40000), new RemoteDescription.Codec(0, "PCMU", 8000),
                42, "phone");
        assertThat(offer).contains("a=group:BUNDLE 0 1", "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n", "a=sendonly",
                "a=rtpmap:0 PCMU/8000", "a=msid:phone phone", "a=ssrc:42 cname:phone", "a=setup:actpass",
                "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=sctp-port:5000");
    }
}
