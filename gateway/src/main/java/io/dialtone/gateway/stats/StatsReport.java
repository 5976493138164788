package io.dialtone.gateway.stats;

import io.dialtone.gateway.config.RoutingState;
import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Counters;
import io.dialtone.stats.StatsDocument.Pod;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds this pod's {@link StatsDocument} from its routing state and call counters. */
public final class StatsReport {
    /** POD_NAME and POD_UID come from the downward API in a cluster; standalone they fall back to the host name. */
    private static final Pod POD = currentPod();

    private StatsReport() {
    }

    public static StatsDocument of(RoutingState.Snapshot routing, CallStats stats, boolean draining, Instant startedAt) {
        return new StatsDocument(POD, routing.revision(), routing.appliedAt(), draining, startedAt,
                counters(stats.gateway()), convert(stats.trunks()), convert(stats.rules()));
    }

    private static Counters counters(CallStats.Counts counts) {
        Map<String, Long> rejections = counts.rejected();
        return new Counters(counts.active(), counts.total(), rejections.values().stream().mapToLong(Long::longValue).sum(),
                rejections, counts.lastCall());
    }

    private static Map<String, Counters> convert(Map<String, CallStats.Counts> counts) {
        Map<String, Counters> out = new LinkedHashMap<>();
        counts.forEach((name, c) -> out.put(name.isEmpty() ? StatsDocument.NO_TRUNK : name, counters(c)));
        return out;
    }

    private static Pod currentPod() {
        String name = System.getenv().getOrDefault("POD_NAME", hostName());
        return new Pod(name, System.getenv().getOrDefault("POD_UID", "standalone-" + name));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
