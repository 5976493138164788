package io.dialtone.gateway.config;

import io.dialtone.config.ConfigException;
import io.dialtone.config.ConfigProblem;
import io.dialtone.config.LoadedConfig;
import io.dialtone.routing.Finding;
import io.dialtone.routing.RoutingTable;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(RoutingState.class);
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

    /** Reads a configuration; may refuse it with its problems. */
    @FunctionalInterface
    public interface Source {
        LoadedConfig load() throws ConfigException;
    }

    /**
     * Loads a changed configuration and applies it if it is valid and new. A refused one is logged problem by
     * problem and the running revision stays: a typo never takes routing down.
     *
     * @return false when the configuration was refused
     */
    public boolean update(Source source) {
        String running = current().revision();
        try {
            LoadedConfig loaded = source.load();
            if (loaded.revision().equals(running)) {
                LOG.debug("configuration changed but revision {} is the same; nothing to apply", running);
                return true;
            }
            apply(loaded);
            LOG.info("applied configuration revision {} (was {}): {} trunk(s), {} rule(s)", loaded.revision(), running,
                    loaded.config().trunks().size(), loaded.config().rules().size());
            for (Finding finding : loaded.findings()) {
                LOG.warn("configuration revision {}: {}", loaded.revision(), finding);
            }
            return true;
        } catch (ConfigException e) {
            for (ConfigProblem problem : e.problems()) {
                LOG.error("configuration change refused: {}", problem);
            }
            LOG.error("configuration change refused with {} problem(s); still running revision {}",
                    e.problems().size(), running);
            return false;
        } catch (RuntimeException e) {
            LOG.error("configuration change refused: {}; still running revision {}", e.getMessage(), running, e);
            return false;
        }
    }
}
