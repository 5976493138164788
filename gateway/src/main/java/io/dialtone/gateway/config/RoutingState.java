package io.dialtone.gateway.config;

import io.dialtone.config.LoadedConfig;
import io.dialtone.routing.RoutingTable;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration calls are routed with. A new configuration replaces the old one in a single step; a call reads
 * the snapshot once when it arrives and keeps it, so a reload never changes a call in progress.
 */
public final class RoutingState {
    public record Snapshot(LoadedConfig loaded, RoutingTable table, Instant appliedAt) {
        public String revision() {
            return loaded.revision();
        }
    }

    private final AtomicReference<Snapshot> current = new AtomicReference<>();

    public RoutingState(LoadedConfig initial) {
        apply(initial);
    }

    /** Builds the routing table first, so a configuration that cannot be built never replaces a working one. */
    public Snapshot apply(LoadedConfig loaded) {
        Snapshot snapshot = new Snapshot(loaded, RoutingTable.build(loaded.config()), Instant.now());
        current.set(snapshot);
        return snapshot;
    }

    public Snapshot current() {
        return current.get();
    }
}
