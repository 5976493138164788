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
 * Whether a new INVITE may start a call at all: not while draining, not beyond maxActiveCallsPerPod, and not faster
 * than the per-source rate (a token bucket per source address), which protects the process from floods.
 */
public final class Admission {
    private final AtomicBoolean draining = new AtomicBoolean();
    private final IntSupplier activeCalls;
    private final Integer maxActiveCalls;
    private final double ratePerSecond;
    private final double burst;
    private final Clock clock;
    private final Map<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    /** @param ratePerSecond new INVITEs allowed per source and second (0: unlimited) */
    public Admission(IntSupplier activeCalls, Integer maxActiveCalls, double ratePerSecond, double burst, Clock clock) {
        this.activeCalls = activeCalls;
        this.maxActiveCalls = maxActiveCalls;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.clock = clock;
    }

    /** Why a new call from {@code source} may not start; empty when it may. */
    public Optional<Reason> check(InetAddress source) {
        if (draining.get()) {
            return Optional.of(Reason.DRAINING);
        }
        if (maxActiveCalls != null && activeCalls.getAsInt() >= maxActiveCalls) {
            return Optional.of(Reason.CAPACITY);
        }
        if (ratePerSecond > 0 && source != null && !take(source)) {
            return Optional.of(Reason.RATE_LIMITED);
        }
        return Optional.empty();
    }

    private boolean take(InetAddress source) {
        long now = clock.millis();
        Bucket bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * ratePerSecond / 1000.0);
            bucket.updated = now;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }

    public void startDraining() {
        draining.set(true);
    }

    public boolean draining() {
        return draining.get();
    }
}
