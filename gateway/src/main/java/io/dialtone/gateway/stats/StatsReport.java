package io.dialtone.gateway.stats;

import io.dialtone.gateway.config.RoutingState;
import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Pod;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

/** Builds this pod's {@link StatsDocument} from its routing state and call counters. */
public final class StatsReport {
    /** POD_NAME and POD_UID come from the downward API in a cluster; standalone they fall back to the host name. */
    private static final Pod POD = currentPod();

    private StatsReport() {
    }

    public static StatsDocument of(RoutingState.Snapshot routing, CallStats stats, CountsRecorded recorded,
                                   boolean draining, Instant startedAt) {
        CallStats.Snapshot counts = stats.snapshot();
        return new StatsDocument(POD, routing.revision(), routing.appliedAt(), draining, startedAt, counts.sequence(),
                recorded.sequence(), counts.gateway(), counts.trunks(), counts.rules());
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
