package io.dialtone.gateway.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class StunTest {
    /** RFC 5769 section 2.1, "Sample Request". */
    private static final byte[] SAMPLE_REQUEST = HexFormat.of().parseHex(
            "000100582112a442b7e7a701bc34d686fa87dfae"
                    + "802200105354554e20746573742063 6c69656e74".replace(" ", "")
                    + "002400046e0001ff"
                    + "80290008932ff9b151263b36"
                    + "000600096576746a3a68367659202020"
                    + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
                    + "80280004e57a3bcf");
    private static final String SAMPLE_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

    @Test
    void theRfc5769SampleRequestParsesAndAuthenticates() {
        Stun.Message message = Stun.parse(ByteBuffer.wrap(SAMPLE_REQUEST)).orElseThrow();
        assertThat(message.type()).isEqualTo(Stun.BINDING_REQUEST);
        assertThat(message.username()).contains("evtj:h6vY");
        assertThat(message.priority()).isEqualTo(0x6e0001ffL);
        assertThat(message.controlling()).contains(false);
        assertThat(message.authentic(SAMPLE_PASSWORD)).isTrue();
        assertThat(message.authentic("wrong")).isFalse();
    }

    @Test
    void aFlippedBitFailsTheFingerprint() {
        byte[] broken = SAMPLE_REQUEST.clone();
        broken[30] ^= 1;
        assertThat(Stun.parse(ByteBuffer.wrap(broken))).isEmpty();
    }

    @Test
    void aCheckAndItsAnswerRoundTrip() {
        byte[] transaction = HexFormat.of().parseHex("0102030405060708090a0b0c");
        byte[] request = Stun.bindingRequest(transaction, "remote:local", "remote-password", 2130706431L, true, 42,
                true);
        Stun.Message check = Stun.parse(ByteBuffer.wrap(request)).orElseThrow();
        assertThat(check.useCandidate()).isTrue();
        assertThat(check.controlling()).contains(true);
        assertThat(check.tieBreaker()).isEqualTo(42);
        assertThat(check.priority()).isEqualTo(2130706431L);
        assertThat(check.authentic("remote-password")).isTrue();

        InetSocketAddress source = new InetSocketAddress("192.0.2.7", 40123);
        Stun.Message answer = Stun.parse(ByteBuffer.wrap(Stun.bindingSuccess(transaction, source, "remote-password")))
                .orElseThrow();
        assertThat(answer.type()).isEqualTo(Stun.BINDING_SUCCESS);
        assertThat(answer.mapped()).contains(source);
        assertThat(answer.transactionId()).isEqualTo(transaction);
        assertThat(answer.authentic("remote-password")).isTrue();
    }

    @Test
    void garbageIsNotStun() {
        assertThat(Stun.parse(ByteBuffer.wrap(new byte[] {0, 1, 0, 4, 1, 2, 3}))).isEmpty();
        byte[] truncated = java.util.Arrays.copyOf(SAMPLE_REQUEST, 60);
        assertThat(Stun.parse(ByteBuffer.wrap(truncated))).isEmpty();
    }
}
