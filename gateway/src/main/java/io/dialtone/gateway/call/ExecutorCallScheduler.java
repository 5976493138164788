package io.dialtone.gateway.call;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The gateway's {@link CallScheduler}: a scheduled executor whose tasks must only post to call loops. */
public final class ExecutorCallScheduler implements CallScheduler {
    private final ScheduledExecutorService timers;

    public ExecutorCallScheduler(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    @Override
    public Timer after(Duration delay, Runnable task) {
        var future = timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public Timer every(Duration period, Runnable task) {
        var future = timers.scheduleAtFixedRate(task, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
