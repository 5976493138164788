package io.dialtone.gateway.media;

/**
 * ITU-T G.722 at 64 kbit/s: 16 kHz audio split by a 24-tap quadrature mirror filter into a low band (6-bit ADPCM)
 * and a high band (2-bit ADPCM), one byte per pair of input samples. Both bands adapt their quantiser scale and a
 * pole-zero predictor the same way on the encoding and the decoding side (blocks 1 to 6 of the recommendation, in
 * its 16-bit fixed point), so an encoder and a decoder stay in step without side information. Encoder and decoder
 * each carry a call's state; one instance serves one direction of one call.
 */
public final class G722 {
    public static final int SAMPLE_RATE = 16_000;

    private static final int[] QMF = {3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11};
    /** Low-band quantiser decision levels (QUANTL), in units of the scale factor / 4096. */
    private static final int[] LOW_LEVELS = {0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650,
            714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919};
    private static final int[] LOW_CODE_NEGATIVE = {0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
            17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0};
    private static final int[] LOW_CODE_POSITIVE = {0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46,
            45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0};
    /** Inverse quantiser of the low band's top four bits, which drive adaptation (INVQAL). */
    private static final int[] LOW_INVERSE_4 = {0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896,
            8968, 6288, 4240, 2584, 1200, 0};
    /** Inverse quantiser of all six low-band bits, for the decoder's output (INVQBL). */
    private static final int[] LOW_INVERSE_6 = {-136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512,
            -12280, -11192, -10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168,
            -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232,
            9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040,
            728, 432, 136, -432, -136};
    private static final int[] LOW_LOG_STEP = {-60, -30, 58, 172, 334, 538, 1198, 3042};
    private static final int[] LOW_LOG_INDEX = {0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0};
    private static final int[] HIGH_INVERSE = {-7408, -1616, 7408, 1616};
    private static final int[] HIGH_LOG_STEP = {0, -214, 798};
    private static final int[] HIGH_LOG_INDEX = {2, 1, 2, 1};
    /** Antilog table of the scale factor (SCALEL/SCALEH). */
    private static final int[] ANTILOG = {2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656,
            2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922,
            4008};
    private static final int LOW_LOG_MAX = 18432;
    private static final int HIGH_LOG_MAX = 22528;

    private G722() {
    }

    /** Encodes 16 kHz samples; two samples make one byte, so the input length should be even. */
    public static final class Encoder {
        private final Band low = new Band(32);
        private final Band high = new Band(8);
        private final int[] window = new int[24];

        public byte[] encode(short[] samples) {
            byte[] out = new byte[samples.length / 2];
            for (int n = 0; n < out.length; n++) {
                System.arraycopy(window, 2, window, 0, 22);
                window[22] = samples[2 * n];
                window[23] = samples[2 * n + 1];
                int even = 0;
                int odd = 0;
                for (int i = 0; i < 12; i++) {
                    odd += window[2 * i] * QMF[i];
                    even += window[2 * i + 1] * QMF[11 - i];
                }
                int lowCode = encodeLow((even + odd) >> 14);
                int highCode = encodeHigh((even - odd) >> 14);
                out[n] = (byte) ((highCode << 6) | lowCode);
            }
            return out;
        }

        private int encodeLow(int sample) {
            int error = saturate(sample - low.estimate);
            int magnitude = error >= 0 ? error : -(error + 1);
            int level = 1;
            while (level < LOW_LEVELS.length && magnitude >= (LOW_LEVELS[level] * low.scale) >> 12) {
                level++;
            }
            int code = error < 0 ? LOW_CODE_NEGATIVE[level] : LOW_CODE_POSITIVE[level];
            low.adaptLow(code >> 2);
            return code;
        }

        private int encodeHigh(int sample) {
            int error = saturate(sample - high.estimate);
            int magnitude = error >= 0 ? error : -(error + 1);
            boolean outer = magnitude >= (564 * high.scale) >> 12;
            int code = error < 0 ? (outer ? 0 : 1) : (outer ? 2 : 3);
            high.adaptHigh(code);
            return code;
        }
    }

    /** Decodes bytes into 16 kHz samples, two per byte. */
    public static final class Decoder {
        private final Band low = new Band(32);
        private final Band high = new Band(8);
        private final int[] window = new int[24];

        public short[] decode(byte[] codes) {
            short[] out = new short[codes.length * 2];
            for (int n = 0; n < codes.length; n++) {
                int lowCode = codes[n] & 0x3F;
                int highCode = (codes[n] >> 6) & 0x03;
                int lowSample = clamp(low.estimate + ((low.scale * LOW_INVERSE_6[lowCode]) >> 15), -16384, 16383);
                low.adaptLow(lowCode >> 2);
                int highSample = clamp(high.estimate + ((high.scale * HIGH_INVERSE[highCode]) >> 15), -16384, 16383);
                high.adaptHigh(highCode);

                System.arraycopy(window, 2, window, 0, 22);
                window[22] = lowSample + highSample;
                window[23] = lowSample - highSample;
                int first = 0;
                int second = 0;
                for (int i = 0; i < 12; i++) {
                    second += window[2 * i] * QMF[i];
                    first += window[2 * i + 1] * QMF[11 - i];
                }
                out[2 * n] = (short) saturate(first >> 11);
                out[2 * n + 1] = (short) saturate(second >> 11);
            }
            return out;
        }
    }

    /**
     * One sub-band's adaptive state: the quantiser scale factor (in the log domain and linear) and the predictor of
     * block 4 (two poles, six zeros) whose estimate the next sample is coded against.
     */
    private static final class Band {
        int estimate;
        int scale;
        private int logScale;
        private int zeroEstimate;
        private final int[] difference = new int[7];
        private final int[] zeros = new int[7];
        private final int[] nextZeros = new int[7];
        private final int[] partial = new int[3];
        private final int[] reconstructed = new int[3];
        private final int[] poles = new int[3];
        private final int[] nextPoles = new int[3];

        Band(int initialScale) {
            this.scale = initialScale;
        }

        /** Blocks 2L, 3L and 4 for a low-band code's top four bits. */
        void adaptLow(int code4) {
            int quantised = (scale * LOW_INVERSE_4[code4]) >> 15;
            logScale = clamp(((logScale * 127) >> 7) + LOW_LOG_STEP[LOW_LOG_INDEX[code4]], 0, LOW_LOG_MAX);
            scale = antilog(logScale, 8);
            predict(quantised);
        }

        /** Blocks 2H, 3H and 4 for a high-band code. */
        void adaptHigh(int code) {
            int quantised = (scale * HIGH_INVERSE[code]) >> 15;
            logScale = clamp(((logScale * 127) >> 7) + HIGH_LOG_STEP[HIGH_LOG_INDEX[code]], 0, HIGH_LOG_MAX);
            scale = antilog(logScale, 10);
            predict(quantised);
        }

        private static int antilog(int log, int shiftBase) {
            int mantissa = ANTILOG[(log >> 6) & 31];
            int shift = shiftBase - (log >> 11);
            return (shift < 0 ? mantissa << -shift : mantissa >> shift) << 2;
        }

        /** Block 4: reconstruct, update the pole and zero coefficients (sign-sign), and estimate the next sample. */
        private void predict(int quantised) {
            difference[0] = quantised;
            reconstructed[0] = saturate(estimate + quantised);
            partial[0] = saturate(zeroEstimate + quantised);

            int fourTimesPole1 = saturate(poles[1] << 2);
            int pole2Step = sameSign(partial[0], partial[1]) ? -fourTimesPole1 : fourTimesPole1;
            pole2Step = Math.min(pole2Step, 32767);
            int pole2 = (pole2Step >> 7) + (sameSign(partial[0], partial[2]) ? 128 : -128)
                    + ((poles[2] * 32512) >> 15);
            nextPoles[2] = clamp(pole2, -12288, 12288);

            int pole1 = saturate((sameSign(partial[0], partial[1]) ? 192 : -192) + ((poles[1] * 32640) >> 15));
            int pole1Limit = saturate(15360 - nextPoles[2]);
            nextPoles[1] = clamp(pole1, -pole1Limit, pole1Limit);

            int zeroStep = quantised == 0 ? 0 : 128;
            for (int i = 1; i < 7; i++) {
                int step = sameSign(difference[i], quantised) ? zeroStep : -zeroStep;
                nextZeros[i] = saturate(step + ((zeros[i] * 32640) >> 15));
            }

            for (int i = 6; i > 0; i--) {
                difference[i] = difference[i - 1];
                zeros[i] = nextZeros[i];
            }
            for (int i = 2; i > 0; i--) {
                reconstructed[i] = reconstructed[i - 1];
                partial[i] = partial[i - 1];
                poles[i] = nextPoles[i];
            }

            int poleEstimate = saturate(((poles[1] * saturate(reconstructed[1] + reconstructed[1])) >> 15)
                    + ((poles[2] * saturate(reconstructed[2] + reconstructed[2])) >> 15));
            int zeroSum = 0;
            for (int i = 6; i > 0; i--) {
                zeroSum += (zeros[i] * saturate(difference[i] + difference[i])) >> 15;
            }
            zeroEstimate = saturate(zeroSum);
            estimate = saturate(poleEstimate + zeroEstimate);
        }

        private static boolean sameSign(int a, int b) {
            return (a >> 15) == (b >> 15);
        }
    }

    private static int saturate(int value) {
        return clamp(value, Short.MIN_VALUE, Short.MAX_VALUE);
    }

    private static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
    }
}
