package io.dialtone.gateway.media;

/**
 * Converts 16-bit mono audio between sample rates with a rational ratio (8, 16 and 48 kHz here) by polyphase
 * filtering: one Blackman-windowed sinc low-pass, cut off just below the lower rate's Nyquist frequency, split into
 * one short filter per output phase. Streaming: it keeps the tail of the previous block, so blocks of any size
 * join without clicks.
 */
public final class Resampler {
    private static final int TAPS_PER_RATIO = 24;
    private static final double CUTOFF_MARGIN = 0.9;

    private final int inputRate;
    private final int up;
    private final int down;
    private final float[][] phases;
    private final int tapsPerPhase;
    private float[] history;
    private long next;

    public Resampler(int inputRate, int outputRate) {
        if (inputRate <= 0 || outputRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + inputRate + " -> " + outputRate);
        }
        int gcd = gcd(inputRate, outputRate);
        this.inputRate = inputRate;
        this.up = outputRate / gcd;
        this.down = inputRate / gcd;
        if (up > 48 || down > 48) {
            throw new IllegalArgumentException(inputRate + " -> " + outputRate + " Hz is not a small rational ratio");
        }
        int length = TAPS_PER_RATIO * Math.max(up, down);
        length += (up - length % up) % up;
        this.tapsPerPhase = length / up;
        this.phases = design(length);
        this.history = new float[tapsPerPhase - 1];
    }

    public int inputRate() {
        return inputRate;
    }

    /** Resamples one block; the output has about input.length * outputRate / inputRate samples. */
    public short[] process(short[] input) {
        if (up == 1 && down == 1) {
            return input.clone();
        }
        int held = history.length;
        float[] x = new float[held + input.length];
        System.arraycopy(history, 0, x, 0, held);
        for (int i = 0; i < input.length; i++) {
            x[held + i] = input[i];
        }
        long limit = (long) input.length * up;
        short[] out = new short[(int) ((limit - next + down - 1) / down)];
        int written = 0;
        for (long t = next; t < limit; t += down) {
            int index = (int) (t / up);
            float[] taps = phases[(int) (t % up)];
            float sum = 0;
            for (int k = 0; k < tapsPerPhase; k++) {
                sum += taps[k] * x[held + index - k];
            }
            out[written++] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(sum)));
        }
        next = next + (long) written * down - limit;
        history = java.util.Arrays.copyOfRange(x, x.length - held, x.length);
        return written == out.length ? out : java.util.Arrays.copyOf(out, written);
    }

    private float[][] design(int length) {
        double cutoff = CUTOFF_MARGIN * 0.5 / Math.max(up, down);
        double centre = (length - 1) / 2.0;
        float[][] split = new float[up][tapsPerPhase];
        for (int i = 0; i < length; i++) {
            double t = i - centre;
            double sinc = t == 0 ? 1 : Math.sin(2 * Math.PI * cutoff * t) / (2 * Math.PI * cutoff * t);
            double window = 0.42 - 0.5 * Math.cos(2 * Math.PI * i / (length - 1))
                    + 0.08 * Math.cos(4 * Math.PI * i / (length - 1));
            split[i % up][i / up] = (float) (up * 2 * cutoff * sinc * window);
        }
        return split;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
