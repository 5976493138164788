package io.dialtone.gateway.stats;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the operator has recorded this pod's counters: it posts the sequence of the /stats document it stored.
 * A draining pod waits here before it exits, so the calls it took since the operator last looked are not lost with
 * it (docs/operator.md, "Status and call counts").
 */
public final class CountsRecorded {
    private static final Logger LOG = LoggerFactory.getLogger(CountsRecorded.class);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final long GONE_CHECK_NANOS = Duration.ofSeconds(1).toNanos();
    private long sequence;

    public synchronized long sequence() {
        return sequence;
    }

    /** The operator recorded the counters up to {@code recorded}; an older or repeated report changes nothing. */
    public synchronized void recorded(long recorded) {
        if (recorded > sequence) {
            sequence = recorded;
            notifyAll();
        }
    }

    /**
     * Waits until the operator has recorded the counters up to {@code current}, the timeout passes, or
     * {@code gatewayGone} says there is no gateway left whose operator would (checked at least once a second).
     *
     * @return whether everything was recorded
     */
    public synchronized boolean await(LongSupplier current, Duration timeout, BooleanSupplier gatewayGone)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextLog = System.nanoTime();
        while (sequence < current.getAsLong()) {
            if (gatewayGone.getAsBoolean()) {
                LOG.warn("this pod's SipGateway is gone (its routing Secret was deleted), so nobody records its last "
                        + "call counts (sequence {}, recorded {}); exiting", current.getAsLong(), sequence);
                return false;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                LOG.warn("the operator has not recorded this pod's last call counts within {} (recorded sequence "
                        + "{} of {}); exiting anyway: those calls are missing from the totals", timeout, sequence,
                        current.getAsLong());
                return false;
            }
            if (now >= nextLog) {
                LOG.info("waiting for the operator to record this pod's call counts (sequence {}, recorded {}); "
                        + "exiting at the latest in {} s", current.getAsLong(), sequence,
                        Duration.ofNanos(deadline - now).toSeconds());
                nextLog = now + LOG_EVERY_NANOS;
            }
            long waitNanos = Math.min(Math.min(deadline, nextLog) - now, GONE_CHECK_NANOS);
            wait(Math.max(1, waitNanos / 1_000_000));
        }
        LOG.info("the operator has recorded this pod's call counts (sequence {})", sequence);
        return true;
    }
}
