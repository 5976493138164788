package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class G722Test {
    /**
     * Checksums of the encoding and decoding of {@link #testSignal()} by the independent C implementation packaged on
     * PyPI as g722 1.2.8 (RoomAudioIT also checks calls against it): G.722 is bit-exact by design, so any difference
     * is a bug.
     */
    private static final long REFERENCE_ENCODED_CRC = 2149448428L;
    private static final long REFERENCE_DECODED_CRC = 288351982L;

    @Test
    void encodesAndDecodesBitExactlyLikeTheReference() {
        short[] signal = testSignal();
        G722.Encoder encoder = new G722.Encoder();
        ByteBuffer encoded = ByteBuffer.allocate(signal.length / 2);
        for (int at = 0; at < signal.length; at += 320) {
            encoded.put(encoder.encode(java.util.Arrays.copyOfRange(signal, at, at + 320)));
        }
        assertThat(crc(encoded.array())).isEqualTo(REFERENCE_ENCODED_CRC);

        short[] decoded = new G722.Decoder().decode(encoded.array());
        ByteBuffer bytes = ByteBuffer.allocate(decoded.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(decoded);
        assertThat(crc(bytes.array())).isEqualTo(REFERENCE_DECODED_CRC);
    }

    @Test
    void carriesWidebandTonesThatG711CannotWithLittleNoise() {
        for (double hertz : new double[] {440, 1000, 3000, 6000}) {
            short[] tone = new short[16000];
            for (int n = 0; n < tone.length; n++) {
                tone[n] = (short) Math.round(8000 * Math.sin(2 * Math.PI * hertz * n / 16000));
            }
            short[] back = new G722.Decoder().decode(new G722.Encoder().encode(tone));
            assertThat(back).hasSize(tone.length);
            assertThat(snrDb(tone, back)).as("signal to noise at %s Hz", hertz).isGreaterThan(20);
        }
    }

    @Test
    void oneFrameIsAByteForEveryTwoSamples() {
        PhoneCodec codec = PhoneCodec.of(io.dialtone.api.v1alpha1.Codec.G722);
        assertThat(codec.sampleRate()).isEqualTo(16000);
        assertThat(codec.frameSamples()).isEqualTo(320);
        assertThat(codec.encode(new short[320])).hasSize(160);
        assertThat(PhoneCodec.of(io.dialtone.api.v1alpha1.Codec.PCMU).encode(new short[160])).hasSize(160);
    }

    /** A 444 Hz triangle with pseudo-random noise, in integer arithmetic so that any language computes it alike. */
    static short[] testSignal() {
        short[] x = new short[32000];
        long seed = 12345;
        for (int n = 0; n < x.length; n++) {
            seed = (seed * 1103515245L + 12345) & 0x7fffffffL;
            int noise = (int) ((seed >> 16) % 2001) - 1000;
            int t = n % 36;
            x[n] = (short) ((t < 18 ? t : 36 - t) * 800 - 7200 + noise);
        }
        return x;
    }

    /** The best signal-to-noise ratio over the codec's delay (the two QMFs delay the signal by 22 samples). */
    private static double snrDb(short[] sent, short[] heard) {
        double best = Double.NEGATIVE_INFINITY;
        for (int lag = 0; lag < 40; lag++) {
            double signal = 0;
            double noise = 0;
            for (int n = 2000; n < sent.length - 100; n++) {
                signal += (double) sent[n] * sent[n];
                double error = heard[n + lag] - sent[n];
                noise += error * error;
            }
            best = Math.max(best, 10 * Math.log10(signal / noise));
        }
        return best;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
