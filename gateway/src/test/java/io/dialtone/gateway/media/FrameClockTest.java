package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameClockTest {
    /** Keeps the lanes' periodic tasks instead of running them, so the test beats the frames itself. */
    private static final class Lanes extends ScheduledThreadPoolExecutor {
        final List<Runnable> tasks = new ArrayList<>();
        final List<Long> periods = new ArrayList<>();

        Lanes() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
                                                      TimeUnit unit) {
            tasks.add(command);
            periods.add(unit.toMillis(period));
            return null;
        }

        void frame() {
            tasks.forEach(Runnable::run);
        }
    }

    private final Lanes lanes = new Lanes();

    @AfterEach
    void stop() {
        lanes.shutdownNow();
    }

    @Test
    void eachLaneIsOneTaskAFrameThatRunsEveryBeatGivenToIt() {
        FrameClock clock = new FrameClock(lanes, 2);
        assertThat(lanes.tasks).hasSize(2);
        assertThat(lanes.periods).containsOnly(20L);
        List<String> heard = new ArrayList<>();
        clock.every(() -> heard.add("a"));
        clock.every(() -> heard.add("b"));
        clock.every(() -> heard.add("c"));
        lanes.tasks.get(0).run();
        assertThat(heard).as("each beat to the lane with the fewest").containsExactly("a", "c");
        heard.clear();
        lanes.frame();
        assertThat(heard).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aStoppedBeatRunsNoMoreAndAFailingOneStopsNoOther() {
        FrameClock clock = new FrameClock(lanes, 1);
        List<String> heard = new ArrayList<>();
        clock.every(() -> {
            throw new IllegalStateException("a broken call");
        });
        clock.every(() -> {
            throw new StackOverflowError("a broken codec");
        });
        FrameClock.Beat leaving = clock.every(() -> heard.add("leaving"));
        clock.every(() -> heard.add("staying"));
        lanes.frame();
        assertThat(heard).containsExactly("leaving", "staying");
        leaving.stop();
        heard.clear();
        lanes.frame();
        lanes.frame();
        assertThat(heard).containsExactly("staying", "staying");
    }
}
