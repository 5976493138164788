package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResamplerTest {
    @ParameterizedTest
    @CsvSource({"8000, 48000, 440", "16000, 48000, 1000", "48000, 8000, 440", "48000, 16000, 1000", "8000, 16000, 1000"})
    void aToneKeepsItsFrequencyAndLevelInBlocksOfTenMilliseconds(int from, int to, int hertz) {
        Resampler resampler = new Resampler(from, to);
        short[] tone = tone(from, hertz, from, 10000);
        short[] out = new short[0];
        for (int offset = 0; offset < tone.length; offset += from / 100) {
            short[] block = resampler.process(java.util.Arrays.copyOfRange(tone, offset, offset + from / 100));
            out = concat(out, block);
        }
        assertThat(out.length).isBetween(to - 1, to + 1);
        short[] steady = java.util.Arrays.copyOfRange(out, to / 10, out.length);
        double level = rms(steady);
        assertThat(level).as("level").isBetween(10000 / Math.sqrt(2) * 0.95, 10000 / Math.sqrt(2) * 1.05);
        assertThat(Goertzel.share(steady, to, hertz)).as("share of the power at %d Hz", hertz).isGreaterThan(0.99);
    }

    @Test
    void whatTheLowerRateCannotCarryIsFilteredOut() {
        Resampler down = new Resampler(48000, 8000);
        short[] out = down.process(tone(48000, 6000, 48000, 10000));
        short[] steady = java.util.Arrays.copyOfRange(out, 800, out.length);
        assertThat(rms(steady)).as("a 6 kHz tone at 8 kHz would alias to 2 kHz").isLessThan(10000 / Math.sqrt(2) / 100);
    }

    @Test
    void unusableRatesAreRefused() {
        assertThatThrownBy(() -> new Resampler(0, 8000)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new Resampler(44100, 48000)).hasMessageContaining("not a small rational ratio");
    }

    static short[] tone(int rate, double hertz, int samples, double amplitude) {
        short[] out = new short[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hertz * i / rate));
        }
        return out;
    }

    private static double rms(short[] samples) {
        double sum = 0;
        for (short s : samples) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / samples.length);
    }

    private static short[] concat(short[] a, short[] b) {
        short[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Power of one frequency, as a share of the signal's whole power. */
    static final class Goertzel {
        private Goertzel() {
        }

        static double share(short[] samples, int rate, double hertz) {
            double coefficient = 2 * Math.cos(2 * Math.PI * hertz / rate);
            double previous = 0;
            double beforePrevious = 0;
            double total = 0;
            for (short sample : samples) {
                double current = sample + coefficient * previous - beforePrevious;
                beforePrevious = previous;
                previous = current;
                total += (double) sample * sample;
            }
            double power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
            return power * 2 / samples.length / total;
        }
    }
}
