package io.dialtone.gateway.log;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * How many lines of one kind the log takes per window. What strangers cause (dropped INVITEs, refused connections)
 * is logged, but a flood must not become a flood of log lines that fills disks and drowns everything else: past the
 * budget lines are only counted, and the next line that fits says how many were left out.
 */
public final class LogBudget {
    private final int lines;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int used;
    private long suppressed;
    private boolean started;

    /** Permission to log one line; {@code suppressed} lines were left out since the last one. */
    public record Line(long suppressed) {
    }

    public LogBudget(int lines, Duration window, LongSupplier nanoClock) {
        if (lines < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a log budget needs at least one line per positive window");
        }
        this.lines = lines;
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    public static LogBudget perSecond(int lines) {
        return new LogBudget(lines, Duration.ofSeconds(1), System::nanoTime);
    }

    /** A line to log now, or empty when this window's budget is spent (the line is counted instead). */
    public synchronized Optional<Line> take() {
        long now = nanoClock.getAsLong();
        if (!started || now - windowStart >= windowNanos) {
            started = true;
            windowStart = now;
            used = 0;
        }
        if (used >= lines) {
            suppressed++;
            return Optional.empty();
        }
        used++;
        Line line = new Line(suppressed);
        suppressed = 0;
        return Optional.of(line);
    }
}
