package io.dialtone.config;

import io.dialtone.routing.Finding;
import io.dialtone.routing.RoutingConfig;
import java.util.List;

/**
 * A configuration that parsed and validated, with what the routing validator found in it and a content hash the
 * gateway reports as its applied revision.
 */
public record LoadedConfig(RoutingConfig config, List<Finding> findings, String revision) {
    public LoadedConfig {
        findings = List.copyOf(findings);
    }
}
