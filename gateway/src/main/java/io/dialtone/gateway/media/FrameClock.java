package io.dialtone.gateway.media;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 20 ms beat that every call's media runs on: the frames to the room and to the phone, and the prompts. With a
 * periodic task per call and direction, the clock's threads woke once for each, a thousand times a second with 10
 * calls up, and the wake-ups cost more than the frames (docs/benchmarks.md). Here each lane is one periodic task that
 * runs, once a frame, every beat it was given; a new beat goes to the lane with the fewest. A beat is expected to
 * catch its own failures; whatever one throws anyway is logged and it keeps its place, so it cannot stop the calls it
 * shares a lane with.
 */
public final class FrameClock {
    private static final Logger LOG = LoggerFactory.getLogger(FrameClock.class);

    /** A beat given to the clock; once {@link #stop()} returns it is not started again. */
    @FunctionalInterface
    public interface Beat {
        void stop();
    }

    private static final class Entry implements Beat {
        private final Runnable work;
        private final List<Entry> lane;
        /** Checked before each run: a lane may be part-way through its beats when one is taken off. */
        private volatile boolean stopped;

        Entry(Runnable work, List<Entry> lane) {
            this.work = work;
            this.lane = lane;
        }

        @Override
        public void stop() {
            stopped = true;
            lane.remove(this);
        }
    }

    private final List<List<Entry>> lanes;

    /** {@code lanes} periodic tasks on {@code threads}, one frame apart each; as many as it has threads fits best. */
    public FrameClock(ScheduledExecutorService threads, int lanes) {
        List<List<Entry>> made = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            List<Entry> beats = new CopyOnWriteArrayList<>();
            made.add(beats);
            threads.scheduleAtFixedRate(() -> beat(beats), PhoneCodec.FRAME_MILLIS, PhoneCodec.FRAME_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        this.lanes = List.copyOf(made);
    }

    /** Runs {@code work} once every frame, from the next one on, until the returned beat is stopped. */
    public Beat every(Runnable work) {
        synchronized (lanes) {
            List<Entry> lane = lanes.stream().min(Comparator.comparingInt(List::size)).orElseThrow();
            Entry entry = new Entry(work, lane);
            lane.add(entry);
            return entry;
        }
    }

    private static void beat(List<Entry> beats) {
        for (Entry beat : beats) {
            if (beat.stopped) {
                continue;
            }
            try {
                beat.work.run();
            } catch (Throwable e) {
                // Even an Error: escaping here would cancel the lane's task, and every call on it would go silent.
                LOG.warn("a media beat failed: {}", e.toString());
            }
        }
    }
}
