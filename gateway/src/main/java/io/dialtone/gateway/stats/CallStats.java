package io.dialtone.gateway.stats;

import io.dialtone.routing.Reason;
import io.dialtone.stats.StatsDocument;
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

/**
 * Call counters since the process started, per trunk and per rule: the source of both the Prometheus metrics and
 * the /stats document the operator turns into status. Counters only grow, and every change moves a sequence on, so
 * the operator can tell a draining pod that it has recorded everything (docs/operator.md, "Status and call counts"). One lock
 * guards them all: a snapshot is never half a call behind its sequence.
 */
public final class CallStats {
    private final MeterRegistry registry;
    /** Written under the lock; concurrent so that the gauges read them without it, never waiting on a call. */
    private final Map<Counted, Counts> trunks = new ConcurrentHashMap<>();
    private final Map<Counted, Counts> rules = new ConcurrentHashMap<>();
    private final Counts gateway = new Counts();
    private final Timer setupTime;
    private long sequence;

    public CallStats(MeterRegistry registry) {
        this.registry = registry;
        this.setupTime = Timer.builder("dialtone.gateway.call.setup")
                .description("Time from INVITE to 200 OK for accepted calls")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("dialtone.gateway.active.calls", gateway.active, AtomicLong::get)
                .description("Calls in progress on this gateway pod").register(registry);
    }

    /** Counters of the gateway, one trunk or one rule; written under the CallStats lock. */
    private static final class Counts {
        /** Atomic because the gauges read it without the lock. */
        private final AtomicLong active = new AtomicLong();
        private long total;
        private final Map<String, Long> rejected = new TreeMap<>();
        private Instant lastCall;

        private void reject(String reason, Instant now) {
            rejected.merge(reason, 1L, Long::sum);
            lastCall = now;
        }

        private StatsDocument.Counters counters(String name) {
            return new StatsDocument.Counters(name, active.get(), total,
                    rejected.values().stream().mapToLong(Long::longValue).sum(), rejected, lastCall);
        }
    }

    /** The counters at one sequence, as /stats reports them. */
    public record Snapshot(long sequence, StatsDocument.Counters gateway, Map<String, StatsDocument.Counters> trunks,
                           Map<String, StatsDocument.Counters> rules) {
    }

    public synchronized long sequence() {
        return sequence;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(sequence, gateway.counters(""), report(trunks, StatsDocument.NO_TRUNK), report(rules, null));
    }

    /** @param none the key for calls without a trunk or rule; null leaves them out */
    private static Map<String, StatsDocument.Counters> report(Map<Counted, Counts> counts, String none) {
        Map<String, StatsDocument.Counters> out = new TreeMap<>();
        counts.forEach((counted, c) -> {
            String key = counted.equals(Counted.NONE) ? none : counted.key();
            if (key != null) {
                out.put(key, c.counters(counted.name()));
            }
        });
        return out;
    }

    /** A call that was accepted; close the returned handle when it ends. */
    public ActiveCall started(Counted trunk, Counted rule, Duration setup) {
        Instant now = Instant.now();
        synchronized (this) {
            for (Counts counts : new Counts[] {gateway, trunk(trunk), rule(rule)}) {
                counts.active.incrementAndGet();
                counts.total++;
                counts.lastCall = now;
            }
            sequence++;
        }
        Counter.builder("dialtone.gateway.calls").description("Calls accepted")
                .tag("trunk", trunk.name()).tag("rule", rule.name()).register(registry).increment();
        setupTime.record(setup);
        return new ActiveCall(trunk, rule);
    }

    public void rejected(Counted trunk, Counted rule, Reason reason) {
        Instant now = Instant.now();
        synchronized (this) {
            gateway.reject(reason.metricLabel(), now);
            trunk(trunk).reject(reason.metricLabel(), now);
            if (!rule.equals(Counted.NONE)) {
                rule(rule).reject(reason.metricLabel(), now);
            }
            sequence++;
        }
        Counter.builder("dialtone.gateway.calls.rejected").description("Calls rejected, by reason")
                .tag("trunk", trunk.name()).tag("reason", reason.metricLabel()).register(registry).increment();
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

    /**
     * A SIP message this gateway sent on to the gateway of the fleet that owns its call ({@code what}: request or
     * response), or refused because it claimed to be relayed and was not.
     */
    public void relayed(String what, String method) {
        Counter.builder("dialtone.gateway.sip.relayed")
                .description("SIP messages sent on to the gateway of the fleet that holds their call")
                .tag("what", what).tag("method", KNOWN_METHODS.contains(method) ? method : "other")
                .register(registry).increment();
    }

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

    private Counts trunk(Counted trunk) {
        return trunks.computeIfAbsent(trunk, t -> register(trunks, "trunk", t));
    }

    private Counts rule(Counted rule) {
        return rules.computeIfAbsent(rule, r -> register(rules, "rule", r));
    }

    /**
     * Calls rejected before a trunk or rule was known are counted, but never active, so they get no gauge. A gauge is
     * by name, and adds up every UID of that name: a trunk recreated under its name while its old calls are up.
     */
    private Counts register(Map<Counted, Counts> of, String tag, Counted counted) {
        if (!counted.equals(Counted.NONE)) {
            Gauge.builder("dialtone.gateway.active.calls." + tag, () -> active(of, counted.name()))
                    .description("Calls in progress by " + tag).tag(tag, counted.name()).register(registry);
        }
        return new Counts();
    }

    private static long active(Map<Counted, Counts> of, String name) {
        return of.entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .mapToLong(e -> e.getValue().active.get()).sum();
    }

    /** Decrements the active gauges once, however many times it is closed. */
    public final class ActiveCall implements AutoCloseable {
        private final Counted trunk;
        private final Counted rule;
        private boolean open = true;

        private ActiveCall(Counted trunk, Counted rule) {
            this.trunk = trunk;
            this.rule = rule;
        }

        @Override
        public void close() {
            synchronized (CallStats.this) {
                if (open) {
                    open = false;
                    gateway.active.decrementAndGet();
                    trunk(trunk).active.decrementAndGet();
                    rule(rule).active.decrementAndGet();
                    sequence++;
                }
            }
        }
    }
}
