package io.dialtone.operator.status;

import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Counters;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One gateway's call counts, summed over its pods (docs/operator.md). Pods report counters since they started; the
 * ledger turns them into deltas per pod UID, so a pod that restarts or goes away never makes a total go backwards.
 * Totals here are what this operator process has seen; the status a reconciler writes adds them to what the status
 * held when the operator started. A pod that was running before the operator started contributes what it counts
 * from the first scrape on: calls already in the status are not counted twice.
 */
public final class CallLedger {
    /** Whose counters: the gateway as a whole, a SipTrunk or a DispatchRule, by name. */
    public record Key(String kind, String name) {
        public static final Key GATEWAY = new Key("SipGateway", "");
        /** Not a counter: says that a pod came, went, or changed its revision or draining. */
        public static final Key PODS = new Key("Pod", "");
    }

    /** Counts for one key: active now, and accepted/rejected since the operator started. */
    public record Counts(long active, long total, Map<String, Long> rejections, Instant lastCallTime) {
        public static final Counts NONE = new Counts(0, 0, Map.of(), null);
    }

    private record Accumulated(long total, Map<String, Long> rejections, Instant lastCallTime) {
    }

    private final Instant operatorStarted;
    private final Map<String, StatsDocument> lastSeen = new HashMap<>();
    private final Map<Key, Accumulated> deltas = new HashMap<>();

    public CallLedger(Instant operatorStarted) {
        this.operatorStarted = operatorStarted;
    }

    /** Takes one pod's /stats; returns whose counts changed, with {@link Key#PODS} when the pod itself did. */
    public synchronized Set<Key> observe(StatsDocument stats) {
        StatsDocument previous = lastSeen.get(stats.pod().uid());
        StatsDocument baseline;
        if (previous == null) {
            baseline = stats.startedAt() != null && stats.startedAt().isBefore(operatorStarted) ? stats : null;
        } else if (!previous.startedAt().equals(stats.startedAt())) {
            baseline = null;
        } else {
            baseline = previous;
        }
        Set<Key> changed = new HashSet<>();
        if (previous == null || !previous.revision().equals(stats.revision()) || previous.draining() != stats.draining()) {
            changed.add(Key.PODS);
        }
        add(Key.GATEWAY, stats.gateway(), baseline == null ? null : baseline.gateway(),
                previous == null ? null : previous.gateway(), changed);
        addAll("SipTrunk", stats.trunks(), baseline == null ? Map.of() : baseline.trunks(),
                previous == null ? Map.of() : previous.trunks(), changed);
        addAll("DispatchRule", stats.rules(), baseline == null ? Map.of() : baseline.rules(),
                previous == null ? Map.of() : previous.rules(), changed);
        lastSeen.put(stats.pod().uid(), stats);
        return changed;
    }

    private void addAll(String kind, Map<String, Counters> current, Map<String, Counters> baseline,
                        Map<String, Counters> previous, Set<Key> changed) {
        for (Map.Entry<String, Counters> entry : current.entrySet()) {
            add(new Key(kind, entry.getKey()), entry.getValue(), baseline.get(entry.getKey()),
                    previous.get(entry.getKey()), changed);
        }
    }

    private void add(Key key, Counters current, Counters baseline, Counters previous, Set<Key> changed) {
        if (previous == null || previous.active() != current.active()) {
            changed.add(key);
        }
        if (accumulate(key, current, baseline)) {
            changed.add(key);
        }
    }

    private boolean accumulate(Key key, Counters current, Counters baseline) {
        Counters base = baseline == null ? Counters.NONE : baseline;
        long total = delta(current.total(), base.total());
        Map<String, Long> rejections = new LinkedHashMap<>();
        current.rejections().forEach((reason, count) -> {
            long d = delta(count, base.rejections().getOrDefault(reason, 0L));
            if (d > 0) {
                rejections.put(reason, d);
            }
        });
        Accumulated before = deltas.getOrDefault(key, new Accumulated(0, Map.of(), null));
        Instant last = latest(before.lastCallTime(), current.lastCallTime());
        if (total == 0 && rejections.isEmpty() && java.util.Objects.equals(last, before.lastCallTime())) {
            return false;
        }
        Map<String, Long> merged = new LinkedHashMap<>(before.rejections());
        rejections.forEach((reason, d) -> merged.merge(reason, d, Long::sum));
        deltas.put(key, new Accumulated(before.total() + total, Map.copyOf(merged), last));
        return true;
    }

    /** A counter that went down belongs to a restarted process: everything it shows is new. */
    private static long delta(long current, long base) {
        return current >= base ? current - base : current;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    /** Forgets pods that are gone: their active calls no longer count. Returns whose counts that changed. */
    public synchronized Set<Key> retain(Set<String> podUids) {
        Set<Key> changed = new HashSet<>();
        lastSeen.entrySet().removeIf(entry -> {
            if (podUids.contains(entry.getKey())) {
                return false;
            }
            changed.add(Key.PODS);
            changed.add(Key.GATEWAY);
            entry.getValue().trunks().keySet().forEach(name -> changed.add(new Key("SipTrunk", name)));
            entry.getValue().rules().keySet().forEach(name -> changed.add(new Key("DispatchRule", name)));
            return true;
        });
        return changed;
    }

    public synchronized Counts counts(Key key) {
        Accumulated accumulated = deltas.getOrDefault(key, new Accumulated(0, Map.of(), null));
        long active = 0;
        for (StatsDocument stats : lastSeen.values()) {
            Counters counters = key.equals(Key.GATEWAY) ? stats.gateway()
                    : ("SipTrunk".equals(key.kind()) ? stats.trunks() : stats.rules()).get(key.name());
            active += counters == null ? 0 : counters.active();
        }
        return new Counts(active, accumulated.total(), accumulated.rejections(), accumulated.lastCallTime());
    }

    /** The revision each scraped pod runs, by pod UID. */
    public synchronized Map<String, String> revisions() {
        Map<String, String> revisions = new HashMap<>();
        lastSeen.forEach((uid, stats) -> revisions.put(uid, stats.revision()));
        return revisions;
    }
}
