package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Both ends of an SDES-keyed call in one test: what one protects, the other checks and decrypts. */
class SrtpProtectionTest {
    private static final byte[] CALLER_KEY = key(1);
    private static final byte[] GATEWAY_KEY = key(2);
    private final SrtpProtection gateway = new SrtpProtection(
            new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, CALLER_KEY, GATEWAY_KEY));
    private final SrtpProtection caller = new SrtpProtection(
            new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, GATEWAY_KEY, CALLER_KEY));
    private final RtpSender callerStream = new RtpSender(0, "caller@example");

    private static byte[] key(int seed) {
        byte[] key = new byte[SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES];
        Arrays.fill(key, (byte) seed);
        key[0] = (byte) (seed * 37);
        return key;
    }

    private ByteBuffer rtp(byte fill) {
        byte[] payload = new byte[160];
        Arrays.fill(payload, fill);
        ByteBuffer packet = ByteBuffer.allocate(200);
        callerStream.next(payload, 160).writeTo(packet);
        return packet.flip();
    }

    @Test
    void whatOneEndProtectsTheOtherDecryptsAndNothingElse() {
        ByteBuffer clear = rtp((byte) 0x55);
        ByteBuffer wire = caller.protectRtp(clear.duplicate()).orElseThrow();
        assertThat(wire.remaining()).as("the 80-bit tag").isEqualTo(clear.remaining() + 10);
        assertThat(bytes(wire).length).isEqualTo(clear.remaining() + 10);
        assertThat(Arrays.copyOfRange(bytes(wire), 12, 172)).as("the payload is encrypted")
                .isNotEqualTo(Arrays.copyOfRange(bytes(clear), 12, 172));

        Optional<ByteBuffer> decrypted = gateway.unprotectRtp(wire.duplicate());
        assertThat(decrypted).isPresent();
        assertThat(bytes(decrypted.get())).isEqualTo(bytes(clear));
        assertThat(gateway.unprotectRtp(wire.duplicate())).as("a replay").isEmpty();

        ByteBuffer tampered = caller.protectRtp(rtp((byte) 1)).orElseThrow();
        tampered.put(tampered.position() + 20, (byte) (tampered.get(tampered.position() + 20) ^ 1));
        assertThat(gateway.unprotectRtp(tampered)).as("one bit changed").isEmpty();
        assertThat(gateway.unprotectRtp(rtp((byte) 2))).as("plain RTP").isEmpty();
        assertThat(gateway.rejected()).isEqualTo(3);
    }

    @Test
    void aSequenceNumberProtectedBeforeIsNeverSentAtAll() {
        ByteBuffer clear = rtp((byte) 6);
        assertThat(caller.protectRtp(clear.duplicate())).isPresent();
        assertThat(caller.protectRtp(clear.duplicate())).as("not sent again, encrypted or in the clear").isEmpty();
        assertThat(caller.unsent()).isEqualTo(1);
    }

    @Test
    void sendReportsGoBothWaysToo() {
        ByteBuffer report = ByteBuffer.wrap(new RtpSender(0, "gateway@dialtone").senderReport(Instant.now()));
        ByteBuffer wire = gateway.protectRtcp(report.duplicate()).orElseThrow();
        assertThat(wire.remaining()).as("E flag and index, and the tag").isEqualTo(report.remaining() + 4 + 10);
        Optional<ByteBuffer> clear = caller.unprotectRtcp(wire);
        assertThat(clear).isPresent();
        assertThat(bytes(clear.get())).isEqualTo(bytes(report));
        assertThat(RtcpCompound.isValid(clear.get())).isTrue();
    }

    @Test
    void aStrangersStreamsNeverTakeTheCallersPlace() {
        ByteBuffer first = caller.protectRtp(rtp((byte) 3)).orElseThrow();
        SrtpProtection stranger = new SrtpProtection(
                new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, GATEWAY_KEY, key(9)));
        for (int ssrc = 0; ssrc < 100; ssrc++) {
            ByteBuffer forged = stranger.protectRtp(rtp((byte) 4)).orElseThrow();
            forged.putInt(forged.position() + 8, ssrc);
            assertThat(gateway.unprotectRtp(forged)).isEmpty();
        }
        assertThat(gateway.unprotectRtp(first)).isPresent();
        assertThat(gateway.unprotectRtp(caller.protectRtp(rtp((byte) 5)).orElseThrow())).isPresent();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
