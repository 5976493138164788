package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The room-to-phone queue between the room's audio clock and the gateway's 20 ms clock, simulated in 1 ms steps. */
class PlayoutQueueTest {
    private static final int RATE = 8000;
    private static final int BLOCK = RATE / 100;
    private static final int FRAME = RATE / 50;
    private static final int SECONDS = 60;

    @Test
    void aPlayoutClockOnePercentSlowNeverRunsDryAndStaysClickFree() {
        Played played = play(0.99);
        assertThat(played.queue.underruns()).as("underruns").isZero();
        assertThat(played.queue.droppedSamples()).as("dropped samples").isZero();
        assertThat(played.longestSilenceAfterStart()).as("longest silence once playing").isLessThan(RATE / 1000);
        assertThat(played.largestStep()).as("largest sample-to-sample step (a 1 kHz sine of 8000 has 6283)")
                .isLessThan(7000);
    }

    @Test
    void aPlayoutClockOnePercentFastIsSqueezedInsteadOfCut() {
        Played played = play(1.01);
        assertThat(played.queue.underruns()).as("underruns").isZero();
        assertThat(played.queue.droppedSamples()).as("dropped samples").isZero();
        assertThat(played.deepest).as("deepest queue, samples").isLessThanOrEqualTo(RATE * 70 / 1000);
        assertThat(played.largestStep()).isLessThan(7000);
    }

    @Test
    void aStalledPlayoutThreadIsOneUnderrunAndTheBurstAfterItIsCutToTheDeepenedTarget() {
        Played played = play(1.0, new Stall(10_000, 150));
        assertThat(played.queue.underruns()).as("underruns").isEqualTo(1);
        assertThat(played.queue.droppedSamples()).as("most of the 150 ms burst, dropped rather than played late")
                .isBetween((long) RATE * 80 / 1000, (long) RATE * 150 / 1000);
        assertThat(played.deepest).isLessThanOrEqualTo(RATE * 90 / 1000 + BLOCK);
    }

    @Test
    void aMachineThatStalledOnceIsGivenMoreDepthSoTheSameStallAgainIsNotHeard() {
        Played played = play(1.0, new Stall(10_000, 120), new Stall(12_000, 120));
        assertThat(played.longestSilenceBetween(9_000, 11_000)).as("silence around the first stall")
                .isGreaterThanOrEqualTo(RATE / 200);
        assertThat(played.longestSilenceBetween(11_000, 20_000)).as("silence around the second stall")
                .isLessThan(RATE / 1000);
    }

    @Test
    void theDepthGivenAfterAStallIsTakenBackOnceTheMachineIsCalm() {
        Played played = play(1.0, new Stall(1_000, 90));
        assertThat(played.deepestBetween(50_000, 60_000)).as("deepest queue in the last 10 s, samples")
                .isLessThanOrEqualTo(RATE * 60 / 1000);
    }

    @Test
    void clocksThatAgreeAreNeverStretched() {
        Played played = play(1.0);
        assertThat(played.queue.underruns()).isZero();
        assertThat(played.queue.droppedSamples()).isZero();
        assertThat(ResamplerTest.Goertzel.share(played.playing(), RATE, 1000)).as("share of the power at 1 kHz")
                .isGreaterThan(0.999);
    }

    @Test
    void aStallOfNinetyMillisecondsIsConcealedRatherThanSilent() {
        Played played = play(1.0, new Stall(10_000, 90));
        assertThat(played.queue.underruns()).as("underruns").isEqualTo(1);
        assertThat(played.longestSilenceAfterStart()).as("longest silence once playing").isLessThan(RATE / 200);
    }

    /**
     * Feeds a 1 kHz tone in 10 ms blocks on a producer clock running at {@code speed} times real time, and takes a
     * 20 ms frame every 20 ms; during each stall the producer stops and then delivers what it owes at once, as
     * a stalled path does when it catches up.
     */
    private static Played play(double speed, Stall... stalls) {
        PlayoutQueue queue = new PlayoutQueue(RATE);
        short[] tone = ResamplerTest.tone(RATE, 1000, RATE * (SECONDS + 2), 8000);
        short[] out = new short[RATE * SECONDS];
        int[] depths = new int[SECONDS * 50];
        int blocks = 0;
        for (int ms = 1; ms <= SECONDS * 1000; ms++) {
            int now = ms;
            boolean stalled = java.util.Arrays.stream(stalls).anyMatch(stall -> stall.covers(now));
            int owed = (int) (ms * speed / 10);
            while (!stalled && blocks < owed) {
                short[] block = new short[BLOCK];
                System.arraycopy(tone, blocks * BLOCK, block, 0, BLOCK);
                queue.add(block, RATE);
                blocks++;
            }
            if (ms % 20 == 0) {
                int[] mix = new int[FRAME];
                depths[ms / 20 - 1] = queue.takeInto(mix);
                int at = (ms / 20 - 1) * FRAME;
                for (int i = 0; i < FRAME; i++) {
                    out[at + i] = (short) mix[i];
                }
            }
        }
        return new Played(queue, out, depths, java.util.Arrays.stream(depths).max().orElse(0));
    }

    private record Stall(int atMillis, int millis) {
        boolean covers(int ms) {
            return ms >= atMillis && ms < atMillis + millis;
        }
    }

    private record Played(PlayoutQueue queue, short[] out, int[] depths, int deepest) {
        int deepestBetween(int fromMillis, int toMillis) {
            return java.util.Arrays.stream(depths, fromMillis / 20, toMillis / 20).max().orElse(0);
        }

        int longestSilenceBetween(int fromMillis, int toMillis) {
            int longest = 0;
            int run = 0;
            for (int i = fromMillis * RATE / 1000; i < toMillis * RATE / 1000; i++) {
                run = Math.abs(out[i]) < 50 ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
            return longest;
        }

        int longestSilenceAfterStart() {
            int first = 0;
            while (first < out.length && Math.abs(out[first]) < 50) {
                first++;
            }
            int longest = 0;
            int run = 0;
            for (int i = first; i < out.length; i++) {
                run = Math.abs(out[i]) < 50 ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
            return longest;
        }

        short[] playing() {
            int first = 0;
            while (first < out.length && out[first] == 0) {
                first++;
            }
            return java.util.Arrays.copyOfRange(out, first, out.length);
        }

        int largestStep() {
            int first = 0;
            while (first < out.length && out[first] == 0) {
                first++;
            }
            int largest = 0;
            for (int i = first + 1; i < out.length; i++) {
                largest = Math.max(largest, Math.abs(out[i] - out[i - 1]));
            }
            return largest;
        }
    }
}
