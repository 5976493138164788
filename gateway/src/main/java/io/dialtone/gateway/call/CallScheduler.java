package io.dialtone.gateway.call;

import java.time.Duration;

/**
 * Time as the call core sees it: one-shot and repeating timers, and a monotonic clock. The gateway's runs on one
 * shared timer thread whose tasks only post events to call loops; tests move a manual one by hand.
 */
public interface CallScheduler {
    /** Runs {@code task} once after {@code delay}, unless cancelled first. */
    Timer after(Duration delay, Runnable task);

    /** Runs {@code task} every {@code period}, the first time after one period, until cancelled. */
    Timer every(Duration period, Runnable task);

    /** Nanoseconds from an arbitrary origin, for durations. */
    long nanoTime();

    /** A scheduled task. */
    interface Timer {
        void cancel();
    }
}
