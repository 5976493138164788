package io.dialtone.gateway.stats;

import io.dialtone.gateway.config.RoutingState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What /stats answers (DESIGN section 6): who this pod is, the revision it runs, whether it drains, and the call
 * counters per trunk and rule since it started. The operator turns these into deltas keyed by pod UID.
 */
public record StatsDocument(Pod pod, String revision, Instant revisionAppliedAt, boolean draining, Instant startedAt,
                            Counters gateway, Map<String, Counters> trunks, Map<String, Counters> rules) {

    /** POD_NAME and POD_UID come from the downward API in a cluster; standalone they fall back to the host name. */
    public record Pod(String name, String uid) {
        static Pod current() {
            String name = System.getenv().getOrDefault("POD_NAME", hostName());
            return new Pod(name, System.getenv().getOrDefault("POD_UID", "standalone-" + name));
        }

        private static String hostName() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "localhost";
            }
        }
    }

    public record Counters(long active, long total, long rejected, Map<String, Long> rejections, Instant lastCallTime) {
        static Counters of(CallStats.Counts counts) {
            Map<String, Long> rejections = counts.rejected();
            return new Counters(counts.active(), counts.total(), rejections.values().stream().mapToLong(Long::longValue).sum(),
                    rejections, counts.lastCall());
        }
    }

    private static final Pod POD = Pod.current();

    public static StatsDocument of(RoutingState.Snapshot routing, CallStats stats, boolean draining, Instant startedAt) {
        return new StatsDocument(POD, routing.revision(), routing.appliedAt(), draining, startedAt,
                Counters.of(stats.gateway()), convert(stats.trunks()), convert(stats.rules()));
    }

    private static Map<String, Counters> convert(Map<String, CallStats.Counts> counts) {
        Map<String, Counters> out = new LinkedHashMap<>();
        counts.forEach((name, c) -> out.put(name.isEmpty() ? "(none)" : name, Counters.of(c)));
        return out;
    }
}
