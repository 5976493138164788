package io.dialtone.gateway.sip;

import io.dialtone.routing.Reason;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * Whether a new INVITE may start a call at all: not while draining, not beyond maxActiveCallsPerPod, not faster than
 * the per-source rate (a token bucket per source address), and not faster than the pod's total rate (one bucket for
 * all sources, since a flood may come from many addresses a trunk admits), which protect the process. A bucket
 * that has refilled is the same as none, so once more than {@value #SWEEP_ABOVE} sources are tracked the full ones
 * are forgotten (at most once a second): memory follows the sources sending now, not every source ever seen.
 */
public final class Admission {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final IntSupplier activeCalls;
    private final Integer maxActiveCalls;
    private final double ratePerSecond;
    private final double burst;
    private final double totalPerSecond;
    private final Bucket total;
    private final Clock clock;
    static final int SWEEP_ABOVE = 10_000;
    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastSweep = new java.util.concurrent.atomic.AtomicLong();

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }

        synchronized boolean take(long now, double perSecond, double burst) {
            // The wall clock may step back: that must not drain the bucket below what it held.
            tokens = Math.min(burst, tokens + Math.max(0, now - updated) * perSecond / 1000.0);
            updated = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        synchronized boolean fullSince(long now, long refillMillis) {
            return now - updated >= refillMillis;
        }
    }

    /**
     * @param ratePerSecond  new INVITEs allowed per source and second (0: unlimited), in bursts of {@code burst}
     * @param totalPerSecond new INVITEs allowed from all sources together per second (0: unlimited), in bursts of
     *                       twice that
     */
    public Admission(IntSupplier activeCalls, Integer maxActiveCalls, double ratePerSecond, double burst,
                     double totalPerSecond, Clock clock) {
        this.activeCalls = activeCalls;
        this.maxActiveCalls = maxActiveCalls;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.totalPerSecond = totalPerSecond;
        this.clock = clock;
        this.total = new Bucket(totalPerSecond * 2, clock.millis());
    }

    /** Why a new call from {@code source} may not start; empty when it may. */
    public Optional<Reason> check(InetAddress source) {
        if (draining.get()) {
            return Optional.of(Reason.DRAINING);
        }
        if (maxActiveCalls != null && activeCalls.getAsInt() >= maxActiveCalls) {
            return Optional.of(Reason.CAPACITY);
        }
        long now = clock.millis();
        if (ratePerSecond > 0 && source != null && !take(source, now)) {
            return Optional.of(Reason.RATE_LIMITED);
        }
        if (totalPerSecond > 0 && !total.take(now, totalPerSecond, totalPerSecond * 2)) {
            return Optional.of(Reason.OVERLOADED);
        }
        return Optional.empty();
    }

    private boolean take(InetAddress source, long now) {
        sweep(now);
        return buckets.computeIfAbsent(source, s -> new Bucket(burst, now)).take(now, ratePerSecond, burst);
    }

    private void sweep(long now) {
        long last = lastSweep.get();
        if (buckets.size() <= SWEEP_ABOVE || now - last < 1000 || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        long refill = (long) Math.ceil(burst * 1000 / ratePerSecond);
        buckets.values().removeIf(bucket -> bucket.fullSince(now, refill));
    }

    /** Sources whose rate is being tracked. */
    int tracked() {
        return buckets.size();
    }

    public void startDraining() {
        draining.set(true);
    }

    public boolean draining() {
        return draining.get();
    }
}
