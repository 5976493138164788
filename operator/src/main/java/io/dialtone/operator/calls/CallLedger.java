package io.dialtone.operator.calls;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Counters;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The call counts of one SipGateway as the operator has recorded them (docs/operator.md, "Status and call counts"): for each
 * gateway pod process, its counters as of the last /stats the operator stored, and the sum of every process that is
 * gone. A total is the retired sum plus what the live processes report, so it needs nothing from the operator's
 * memory: the ledger lives in the gateway's ConfigMap ({@link LedgerNames}) and is rebuilt from it after any restart.
 * Counters are keyed by the UID of the trunk or rule, so one recreated under the same name starts from zero.
 *
 * @param pods      per pod UID, the counters of its current process
 * @param retired   the counters of processes that ended: pods deleted, containers restarted
 * @param readyPods the pods that were ready for calls when the ledger was written, UID to name
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallLedger(Map<String, PodRecord> pods, Tally retired, Map<String, String> readyPods) {
    public static final CallLedger EMPTY = new CallLedger(Map.of(), Tally.ZERO, Map.of());

    public CallLedger {
        pods = pods == null ? Map.of() : Map.copyOf(pods);
        retired = retired == null ? Tally.ZERO : retired;
        readyPods = readyPods == null ? Map.of() : Map.copyOf(readyPods);
    }

    /**
     * One pod process as last recorded.
     *
     * @param sequence the /stats sequence these counters are at: what the operator tells a draining pod it recorded
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PodRecord(String name, Instant startedAt, long sequence, String revision, boolean draining,
                            Tally counts) {
    }

    /** Counters of the gateway as a whole and by trunk and rule UID. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tally(Counters gateway, Map<String, Counters> trunks, Map<String, Counters> rules) {
        public static final Tally ZERO = new Tally(Counters.NONE, Map.of(), Map.of());

        public Tally {
            gateway = gateway == null ? Counters.NONE : gateway;
            trunks = trunks == null ? Map.of() : Map.copyOf(trunks);
            rules = rules == null ? Map.of() : Map.copyOf(rules);
        }

        static Tally of(StatsDocument stats) {
            return new Tally(stats.gateway(), stats.trunks(), stats.rules());
        }

        /** This and {@code other} added up; active calls only from {@code other} when it is a live process. */
        Tally plus(Tally other, boolean active) {
            return new Tally(add(gateway, other.gateway, active), merge(trunks, other.trunks, active),
                    merge(rules, other.rules, active));
        }

        private Tally keeping(Predicate<String> trunk, Predicate<String> rule) {
            Map<String, Counters> keptTrunks = new TreeMap<>(trunks);
            keptTrunks.keySet().removeIf(trunk.negate());
            Map<String, Counters> keptRules = new TreeMap<>(rules);
            keptRules.keySet().removeIf(rule.negate());
            return new Tally(gateway, keptTrunks, keptRules);
        }

        private static Map<String, Counters> merge(Map<String, Counters> a, Map<String, Counters> b, boolean active) {
            Map<String, Counters> merged = new TreeMap<>(a);
            b.forEach((key, counters) -> merged.merge(key, add(Counters.NONE, counters, active),
                    (mine, theirs) -> add(mine, theirs, true)));
            return merged;
        }

        private static Counters add(Counters a, Counters b, boolean active) {
            Map<String, Long> rejections = new TreeMap<>(a.rejections());
            b.rejections().forEach((reason, n) -> rejections.merge(reason, n, Long::sum));
            Instant last = a.lastCallTime() == null ? b.lastCallTime() : b.lastCallTime() == null ? a.lastCallTime()
                    : a.lastCallTime().isAfter(b.lastCallTime()) ? a.lastCallTime() : b.lastCallTime();
            return new Counters(b.name().isEmpty() ? a.name() : b.name(), a.active() + (active ? b.active() : 0),
                    a.total() + b.total(), a.rejected() + b.rejected(), rejections, last);
        }
    }

    /**
     * Takes a pod's /stats. A process that started anew (a restarted container) retires the counters of the one
     * before; a document older than the one recorded (a slow answer overtaken by a later one, or one from the
     * process before) changes nothing.
     */
    public CallLedger record(StatsDocument stats) {
        String uid = stats.pod().uid();
        PodRecord before = pods.get(uid);
        Tally retiredNow = retired;
        if (before != null && (stats.startedAt().isBefore(before.startedAt())
                || before.startedAt().equals(stats.startedAt()) && stats.sequence() < before.sequence())) {
            return this;
        }
        if (before != null && !before.startedAt().equals(stats.startedAt())) {
            retiredNow = retired.plus(before.counts(), false);
        }
        Map<String, PodRecord> next = new HashMap<>(pods);
        next.put(uid, new PodRecord(stats.pod().name(), stats.startedAt(), stats.sequence(), stats.revision(),
                stats.draining(), Tally.of(stats)));
        return new CallLedger(next, retiredNow, readyPods);
    }

    /** Retires the processes of pods that no longer exist: what they last reported stays in the totals. */
    public CallLedger retireAllBut(Set<String> podUids) {
        Map<String, PodRecord> next = new HashMap<>();
        Tally retiredNow = retired;
        for (Map.Entry<String, PodRecord> pod : pods.entrySet()) {
            if (podUids.contains(pod.getKey())) {
                next.put(pod.getKey(), pod.getValue());
            } else {
                retiredNow = retiredNow.plus(pod.getValue().counts(), false);
            }
        }
        return new CallLedger(next, retiredNow, readyPods);
    }

    public CallLedger withReadyPods(Map<String, String> ready) {
        return new CallLedger(pods, retired, ready);
    }

    /**
     * Forgets the retired counters of trunks and rules that no longer exist (calls without a trunk stay), so the
     * ledger does not grow with every resource ever made; live processes keep reporting theirs until they end.
     */
    public CallLedger forgettingAllBut(Set<String> trunkUids, Set<String> ruleUids) {
        return new CallLedger(pods, retired.keeping(
                key -> trunkUids.contains(key) || StatsDocument.NO_TRUNK.equals(key), ruleUids::contains), readyPods);
    }

    /** Everything the gateway's pods ever counted; active calls from live processes only. */
    public Tally totals() {
        Tally sum = retired;
        for (PodRecord pod : pods.values()) {
            sum = sum.plus(pod.counts(), true);
        }
        return sum;
    }

    /** The routing revision each recorded pod runs, by UID. */
    public Map<String, String> revisions() {
        Map<String, String> revisions = new HashMap<>();
        pods.forEach((uid, pod) -> revisions.put(uid, pod.revision()));
        return revisions;
    }
}
