package io.dialtone.e2e.support;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polls until something holds, for state that converges: reconciled objects, scraped counts. */
public final class Eventually {
    private Eventually() {
    }

    /** @param diagnosis what to show when it never holds, e.g. the object as it last was */
    public static void until(String what, Duration timeout, Callable<Boolean> condition, Supplier<String> diagnosis) {
        value(what, timeout, () -> Boolean.TRUE.equals(condition.call()) ? Optional.of(true) : Optional.empty(),
                diagnosis);
    }

    /** Polls until {@code probe} finds something, and returns it. */
    public static <T> T value(String what, Duration timeout, Callable<Optional<T>> probe, Supplier<String> diagnosis) {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                Optional<T> value = probe.call();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (Exception e) {
                last = e;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new AssertionError("not within " + timeout + ": " + what + "\n" + diagnosis.get(), last);
    }

    /** For what must not change: checks every 200 ms for the whole period and fails at the first break. */
    public static void holds(String what, Duration period, Callable<Boolean> condition, Supplier<String> diagnosis)
            throws Exception {
        Instant end = Instant.now().plus(period);
        while (Instant.now().isBefore(end)) {
            if (!Boolean.TRUE.equals(condition.call())) {
                throw new AssertionError("stopped holding within " + period + ": " + what + "\n" + diagnosis.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }
}
