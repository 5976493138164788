package io.dialtone.gateway.media;

/**
 * One remote track's audio at the phone codec's rate, between the room's packets (a block each, 20 ms of Opus as
 * LiveKit's clients send it, decoded as it arrives) and the gateway's 20 ms clock. It plays at a target depth, 40 ms
 * to begin with: a tick takes 20 ms, and where the blocks fall between two ticks moves the depth a tick sees by up
 * to a block more, so 40 leaves a margin before it runs dry. Four things keep the two clocks apart:
 * <ul>
 *   <li>Drift: the queue follows the low points of its depth (it depends on where the 10 ms blocks fall between
 *   two ticks, so the low points are what tell how close it came to running dry): it follows a new low at once
 *   and rises from it by 0.25 ms a tick. When that floor is more than 5 ms below the target, a tick takes about
 *   1.5 % less than a frame and stretches it into one; more than 15 ms above, 1.5 % more, squeezed. Clocks that
 *   agree are never touched.</li>
 *   <li>Stalls: when the playout thread stalls for longer than the queue holds (a busy machine), the queue runs dry
 *   (an underrun); the missing audio is concealed as G.711 Appendix I conceals a lost packet (the last frame
 *   again, fading out over 60 ms), and the queue primes to its target again.</li>
 *   <li>A machine that stalls once stalls again: each underrun while playing deepens the target by 20 ms, up to
 *   100 ms, and every 10 s without one it comes back 10 ms, down to 40 (the squeeze above drains the extra).</li>
 *   <li>Bursts: 30 ms deeper than the target (what a stalled playout thread delivers when it catches up) the queue
 *   drops its oldest audio down to the target, which keeps the added delay bounded.</li>
 * </ul>
 */
final class PlayoutQueue {
    private static final int BASE_MILLIS = 40;
    private static final int DEEPEST_MILLIS = 100;
    private static final int DEEPEN_MILLIS = 20;
    private static final int RELAX_MILLIS = 10;
    /** Ticks (of 20 ms) without an underrun after which the target comes back by {@link #RELAX_MILLIS}. */
    private static final int CALM_TICKS = 500;
    /** How loud each concealed frame is, in quarters of the last frame played. */
    private static final int[] CONCEALED_QUARTERS = {4, 3, 2, 1};
    private final int rate;
    private final short[] samples;
    private int target;
    private int calmTicks;
    private int start;
    private int size;
    private boolean playing;
    private boolean played;
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
        this.target = millis(BASE_MILLIS);
        this.floorRise = Math.max(1, rate / 4000);
    }

    private int millis(int ms) {
        return rate * ms / 1000;
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
        if (!playing && size < target) {
            conceal(mix, 0);
            return 0;
        }
        playing = true;
        played = true;
        if (size > target + millis(30)) {
            dropped += size - target;
            start = (start + size - target) % samples.length;
            size = target;
        }
        int queued = size;
        floor = floor < 0 ? size : Math.min(size, floor + floorRise);
        if (size < frame) {
            underruns++;
            playing = false;
            target = Math.min(target + millis(DEEPEN_MILLIS), millis(DEEPEST_MILLIS));
            calmTicks = 0;
            // The depth after priming again says nothing about this stall's low: the floor starts over.
            floor = -1;
            for (int i = 0; i < size; i++) {
                mix[i] += at(i);
            }
            concealing = 0;
            conceal(mix, size);
            start = (start + size) % samples.length;
            size = 0;
            return queued;
        }
        if (++calmTicks >= CALM_TICKS) {
            calmTicks = 0;
            target = Math.max(target - millis(RELAX_MILLIS), millis(BASE_MILLIS));
        }
        int step = Math.max(2, frame / 64);
        int taken = floor < target - millis(5) ? frame - step
                : floor > target + millis(15) && size >= frame + step ? frame + step : frame;
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

    /** Fills {@code mix} from {@code from} with the last frame played: whole, then fading over three ticks. */
    private void conceal(int[] mix, int from) {
        if (concealing >= CONCEALED_QUARTERS.length || !played) {
            return;
        }
        int quarters = CONCEALED_QUARTERS[concealing++];
        for (int i = from; i < mix.length; i++) {
            mix[i] += last[i] * quarters / 4;
        }
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
