package io.dialtone.gateway.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoomAudioPublisherTest {
    private static final String ANSWER = String.join("\r\n",
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=mid:1",
            "m=audio 9 UDP/TLS/RTP/SAVPF %s", "a=mid:0", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10",
            "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "");

    @Test
    void theTrackIsSentWithTheFirstCodecOfTheAnswer() {
        assertThat(RoomAudioPublisher.firstAudioCodec(ANSWER.formatted("0 111 8"))).isEqualTo("PCMU");
        assertThat(RoomAudioPublisher.firstAudioCodec(ANSWER.formatted("111 0 8"))).isEqualTo("opus");
        assertThat(RoomAudioPublisher.firstAudioCodec(ANSWER.formatted("8"))).isEqualTo("PCMA");
    }

    @Test
    void anAnswerWithoutAudioNamesNoCodec() {
        assertThat(RoomAudioPublisher.firstAudioCodec("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"))
                .isNull();
        assertThat(RoomAudioPublisher.firstAudioCodec("v=0\nm=audio 9 RTP/AVP 96\nm=video 9 RTP/AVP 96\n"
                + "a=rtpmap:96 VP8/90000\n")).isNull();
    }
}
