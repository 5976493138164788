package io.dialtone.gateway.media;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 20 ms beat that every call's media runs on: the frames to the room and to the phone, and the prompts. With a
 * periodic task per call and direction, the clock's threads woke once for each, a thousand times a second with 10
 * calls up, and the wake-ups cost more than the frames (docs/benchmarks.md). Here each lane is one periodic task that
 * runs, once a frame, every beat it was given; beats go to the lanes in turn. A beat is expected to catch its own
 * failures; one that throws anyway is logged and keeps its place, so it cannot stop the calls it shares a lane with.
 */
public final class FrameClock {
    private static final Logger LOG = LoggerFactory.getLogger(FrameClock.class);

    /** A beat given to the clock; {@link #stop()} takes it off. */
    @FunctionalInterface
    public interface Beat {
        void stop();
    }

    private final List<List<Runnable>> lanes;
    private final AtomicInteger nextLane = new AtomicInteger();

    /** {@code lanes} periodic tasks on {@code threads}, one frame apart each; as many as it has threads fits best. */
    public FrameClock(ScheduledExecutorService threads, int lanes) {
        List<List<Runnable>> made = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            List<Runnable> beats = new CopyOnWriteArrayList<>();
            made.add(beats);
            threads.scheduleAtFixedRate(() -> beat(beats), PhoneCodec.FRAME_MILLIS, PhoneCodec.FRAME_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        this.lanes = List.copyOf(made);
    }

    /** Runs {@code beat} once every frame, from the next one on, until the returned beat is stopped. */
    public Beat every(Runnable beat) {
        List<Runnable> lane = lanes.get(Math.floorMod(nextLane.getAndIncrement(), lanes.size()));
        lane.add(beat);
        return () -> lane.remove(beat);
    }

    private static void beat(List<Runnable> beats) {
        for (Runnable beat : beats) {
            try {
                beat.run();
            } catch (RuntimeException e) {
                LOG.warn("a media beat failed: {}", e.toString());
            }
        }
    }
}
