package io.dialtone.gateway.call;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link CallScheduler} whose time moves only when the test says so; due tasks run on the test's thread. */
public final class ManualScheduler implements CallScheduler {
    private final List<Task> tasks = new ArrayList<>();
    private long now;
    private long order;

    private final class Task implements Timer {
        final Runnable action;
        final long period;
        final long sequence = order++;
        long due;
        boolean cancelled;

        Task(Runnable action, long due, long period) {
            this.action = action;
            this.due = due;
            this.period = period;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public Timer after(Duration delay, Runnable task) {
        Task scheduled = new Task(task, now + delay.toNanos(), 0);
        tasks.add(scheduled);
        return scheduled;
    }

    @Override
    public Timer every(Duration period, Runnable task) {
        Task scheduled = new Task(task, now + period.toNanos(), period.toNanos());
        tasks.add(scheduled);
        return scheduled;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves time forward, running every task that falls due on the way, in order of its due time. */
    public void advance(Duration duration) {
        long until = now + duration.toNanos();
        while (true) {
            Task next = tasks.stream().filter(task -> !task.cancelled && task.due <= until)
                    .min(Comparator.<Task>comparingLong(task -> task.due).thenComparingLong(task -> task.sequence))
                    .orElse(null);
            if (next == null) {
                break;
            }
            now = Math.max(now, next.due);
            if (next.period > 0) {
                next.due += next.period;
            } else {
                tasks.remove(next);
            }
            next.action.run();
        }
        now = until;
    }

    /**
     * Runs every pending one-shot task now, cancelled or not: a timer that had already fired on the timer thread
     * when its call cancelled it.
     */
    public void fireAllEvenIfCancelled() {
        List<Task> oneShots = tasks.stream().filter(task -> task.period == 0).toList();
        tasks.removeAll(oneShots);
        oneShots.forEach(task -> task.action.run());
    }

    /** Timers scheduled and neither cancelled nor run yet. */
    public long pending() {
        return tasks.stream().filter(task -> !task.cancelled).count();
    }
}
