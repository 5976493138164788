package io.dialtone.gateway.stats;

import io.dialtone.routing.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Call counters since the process started, per trunk and per rule: the source of both the Prometheus metrics and
 * the /stats document the operator turns into status. Counters only grow; the operator keys them by pod UID, so a
 * restart that resets them never makes a total go backwards.
 */
public final class CallStats {
    /** Label for calls that matched no trunk or no rule. */
    public static final String NONE = "";

    private final MeterRegistry registry;
    private final Map<String, Counts> trunks = new ConcurrentHashMap<>();
    private final Map<String, Counts> rules = new ConcurrentHashMap<>();
    private final Counts gateway = new Counts();
    private final Timer setupTime;

    public CallStats(MeterRegistry registry) {
        this.registry = registry;
        this.setupTime = Timer.builder("dialtone.gateway.call.setup")
                .description("Time from INVITE to 200 OK for accepted calls")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("dialtone.gateway.active.calls", gateway.active, AtomicLong::get)
                .description("Calls in progress on this gateway pod").register(registry);
    }

    /** Counters of one trunk or rule, as /stats reports them. */
    public static final class Counts {
        private final AtomicLong active = new AtomicLong();
        private final LongAdder total = new LongAdder();
        private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
        private final AtomicReference<Instant> lastCall = new AtomicReference<>();

        public long active() {
            return active.get();
        }

        public long total() {
            return total.sum();
        }

        public Map<String, Long> rejected() {
            Map<String, Long> out = new TreeMap<>();
            rejected.forEach((reason, count) -> out.put(reason, count.sum()));
            return out;
        }

        public Instant lastCall() {
            return lastCall.get();
        }
    }

    /** A call that was accepted; close the returned handle when it ends. */
    public ActiveCall started(String trunk, String rule, Duration setup) {
        Instant now = Instant.now();
        for (Counts counts : new Counts[] {gateway, trunk(trunk), rule(rule)}) {
            counts.active.incrementAndGet();
            counts.total.increment();
            counts.lastCall.set(now);
        }
        Counter.builder("dialtone.gateway.calls").description("Calls accepted")
                .tag("trunk", trunk).tag("rule", rule).register(registry).increment();
        setupTime.record(setup);
        return new ActiveCall(trunk, rule);
    }

    public void rejected(String trunk, String rule, Reason reason) {
        Instant now = Instant.now();
        gateway.rejected.computeIfAbsent(reason.metricLabel(), r -> new LongAdder()).increment();
        Counts trunkCounts = trunk(trunk);
        trunkCounts.rejected.computeIfAbsent(reason.metricLabel(), r -> new LongAdder()).increment();
        trunkCounts.lastCall.set(now);
        if (!rule.equals(NONE)) {
            rule(rule).rejected.computeIfAbsent(reason.metricLabel(), r -> new LongAdder()).increment();
        }
        Counter.builder("dialtone.gateway.calls.rejected").description("Calls rejected, by reason")
                .tag("trunk", trunk).tag("reason", reason.metricLabel()).register(registry).increment();
    }

    /** SIP messages dropped because they did not parse, as a metric read from {@code dropped}. */
    public void malformedMessages(java.util.function.LongSupplier dropped) {
        io.micrometer.core.instrument.FunctionCounter.builder("dialtone.gateway.sip.malformed", dropped,
                        supplier -> supplier.getAsLong())
                .description("SIP messages dropped unanswered because they did not parse").register(registry);
    }

    /** 1 while the circuit breaker in front of LiveKit is open (new calls get 503 at once), else 0. */
    public void liveKitBreaker(java.util.function.BooleanSupplier open) {
        io.micrometer.core.instrument.Gauge.builder("dialtone.gateway.livekit.breaker.open",
                        () -> open.getAsBoolean() ? 1 : 0)
                .description("1 while LiveKit is taken as not answering and new calls get 503 at once")
                .register(registry);
    }

    /** TCP and TLS connections held now, and those closed as they arrived, by why. */
    public void connections(io.dialtone.gateway.transport.ConnectionGuard guard) {
        io.micrometer.core.instrument.Gauge.builder("dialtone.gateway.sip.connections", guard::open)
                .description("TCP and TLS connections the SIP listeners hold").register(registry);
        for (var why : io.dialtone.gateway.transport.ConnectionGuard.Refusal.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("dialtone.gateway.sip.connections.refused", guard,
                            held -> held.refused(why))
                    .description("TCP and TLS connections closed as they arrived: from a source no SipTrunk admits, "
                            + "or over the total or per-source cap").tag("why", why.tag()).register(registry);
        }
    }

    /** A request outside any call from a source no SipTrunk admits, dropped unanswered. */
    public void unanswered(String method) {
        Counter.builder("dialtone.gateway.requests.unanswered")
                .description("Requests outside a call from sources no SipTrunk admits, dropped unanswered, by method")
                .tag("method", KNOWN_METHODS.contains(method) ? method : "other").register(registry).increment();
    }

    /** Methods a tag may name: a stranger's invented methods must not grow the registry. */
    private static final java.util.Set<String> KNOWN_METHODS = java.util.Set.of("ACK", "OPTIONS", "REGISTER", "BYE", "CANCEL",
            "INFO", "UPDATE", "MESSAGE", "SUBSCRIBE", "NOTIFY", "REFER", "PRACK", "PUBLISH");

    /** A wrong PIN entered for {@code rule}: a metric only, since /stats counts calls, not keystrokes. */
    public void pinWrong(String rule) {
        Counter.builder("dialtone.gateway.pin.wrong").description("Wrong PINs entered, by rule").tag("rule", rule)
                .register(registry).increment();
    }

    /** A lockout begun after too many wrong PINs from one source ({@code scope} source) or for one rule. */
    public void pinLockout(String scope) {
        Counter.builder("dialtone.gateway.pin.lockouts").description("PIN lockouts begun, by scope (source, rule)")
                .tag("scope", scope).register(registry).increment();
    }

    private Counts trunk(String name) {
        return trunks.computeIfAbsent(name, n -> register(new Counts(), "trunk", n));
    }

    private Counts rule(String name) {
        return rules.computeIfAbsent(name, n -> register(new Counts(), "rule", n));
    }

    /** Calls rejected before a trunk or rule was known are counted, but never active, so they get no gauge. */
    private Counts register(Counts counts, String tag, String name) {
        if (name.equals(NONE)) {
            return counts;
        }
        Gauge.builder("dialtone.gateway.active.calls." + tag, counts.active, AtomicLong::get)
                .description("Calls in progress by " + tag).tag(tag, name).register(registry);
        return counts;
    }

    public Counts gateway() {
        return gateway;
    }

    public Map<String, Counts> trunks() {
        return new TreeMap<>(trunks);
    }

    public Map<String, Counts> rules() {
        return new TreeMap<>(rules);
    }

    /** Decrements the active gauges once, however many times it is closed. */
    public final class ActiveCall implements AutoCloseable {
        private final String trunk;
        private final String rule;
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        private ActiveCall(String trunk, String rule) {
            this.trunk = trunk;
            this.rule = rule;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                gateway.active.decrementAndGet();
                trunk(trunk).active.decrementAndGet();
                rule(rule).active.decrementAndGet();
            }
        }
    }
}
