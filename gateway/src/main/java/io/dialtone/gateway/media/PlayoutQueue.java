package io.dialtone.gateway.media;

/**
 * One remote track's audio at the phone codec's rate, between libwebrtc's playout clock (10 ms blocks) and the
 * gateway's 20 ms clock. It starts playing once it holds 40 ms: a tick takes 20 ms, and where the 10 ms blocks fall
 * between two ticks moves the depth a tick sees by another 10 ms, so 40 leaves a margin before it runs dry. Three
 * things keep the two clocks apart:
 * <ul>
 *   <li>Drift: the queue follows the low points of its depth (it depends on where the 10 ms blocks fall between
 *   two ticks, so the low points are what tell how close it came to running dry): it follows a new low at once
 *   and rises from it by 0.25 ms a tick. When that floor is below 35 ms, a tick takes about 1.5 % less than a
 *   frame and stretches it into one; above 55 ms, 1.5 % more, squeezed. Clocks that agree are never touched.</li>
 *   <li>Stalls: when the playout thread stalls for longer than the queue holds (a busy machine), the queue runs dry
 *   (an underrun); the missing audio is concealed as the phone side conceals lost packets (the last frame at half,
 *   then a quarter level, then silence), and the queue primes to 40 ms again.</li>
 *   <li>Bursts: deeper than 70 ms (what a stalled playout thread delivers when it catches up) the queue drops its
 *   oldest audio down to 40 ms, which keeps the added delay bounded.</li>
 * </ul>
 */
final class PlayoutQueue {
    private final int rate;
    private final short[] samples;
    private final int primed;
    private final int low;
    private final int high;
    private final int highWater;
    private int start;
    private int size;
    private boolean playing;
    private Resampler resampler;
    private final int floorRise;
    private int floor = -1;
    private short[] last;
    private int concealing;
    private long underruns;
    private long dropped;

    PlayoutQueue(int rate) {
        this.rate = rate;
        this.samples = new short[rate / 5];
        this.primed = rate * 40 / 1000;
        this.low = rate * 35 / 1000;
        this.high = rate * 55 / 1000;
        this.floorRise = Math.max(1, rate / 4000);
        this.highWater = rate * 70 / 1000;
    }

    /** A block of the track at {@code sampleRate}; the oldest audio gives way when 200 ms are already queued. */
    synchronized void add(short[] block, int sampleRate) {
        if (resampler == null || resampler.inputRate() != sampleRate) {
            resampler = new Resampler(sampleRate, rate);
        }
        for (short sample : resampler.process(block)) {
            if (size == samples.length) {
                start = (start + 1) % samples.length;
                size--;
                dropped++;
            }
            samples[(start + size) % samples.length] = sample;
            size++;
        }
    }

    /**
     * Adds one frame ({@code mix.length} samples) of this track to {@code mix}.
     *
     * @return how many samples were queued before this take (0 while priming)
     */
    synchronized int takeInto(int[] mix) {
        int frame = mix.length;
        if (last == null || last.length != frame) {
            last = new short[frame];
        }
        if (!playing && size < primed) {
            conceal(mix, 0);
            return 0;
        }
        playing = true;
        if (size > highWater) {
            dropped += size - primed;
            start = (start + size - primed) % samples.length;
            size = primed;
        }
        int queued = size;
        floor = floor < 0 ? size : Math.min(size, floor + floorRise);
        if (size < frame) {
            underruns++;
            playing = false;
            for (int i = 0; i < size; i++) {
                mix[i] += at(i);
            }
            concealing = 0;
            conceal(mix, size);
            start = (start + size) % samples.length;
            size = 0;
            return queued;
        }
        int step = Math.max(2, frame / 64);
        int taken = floor < low ? frame - step : floor > high && size >= frame + step ? frame + step : frame;
        if (taken == frame) {
            for (int i = 0; i < frame; i++) {
                last[i] = at(i);
            }
        } else {
            // Linear interpolation across the frame; the sample after it (when queued) keeps the seam smooth.
            int lastIndex = Math.min(taken, size - 1);
            for (int i = 0; i < frame; i++) {
                double position = (double) i * taken / frame;
                int index = (int) position;
                double fraction = position - index;
                last[i] = (short) Math.round(at(index) * (1 - fraction) + at(Math.min(index + 1, lastIndex)) * fraction);
            }
        }
        for (int i = 0; i < frame; i++) {
            mix[i] += last[i];
        }
        concealing = 0;
        start = (start + taken) % samples.length;
        size -= taken;
        return queued;
    }

    /** Fills {@code mix} from {@code from} with the last frame played, half as loud each tick, then silence. */
    private void conceal(int[] mix, int from) {
        if (concealing >= 2 || !playedBefore()) {
            return;
        }
        int shift = ++concealing;
        for (int i = from; i < mix.length; i++) {
            mix[i] += last[i] >> shift;
        }
    }

    private boolean playedBefore() {
        return floor >= 0;
    }

    /** Times the queue ran dry while playing: the room's audio stalled for longer than the queue held. */
    synchronized long underruns() {
        return underruns;
    }

    /** Samples dropped to keep the delay bounded. */
    synchronized long droppedSamples() {
        return dropped;
    }

    private short at(int offset) {
        return samples[(start + offset) % samples.length];
    }
}
