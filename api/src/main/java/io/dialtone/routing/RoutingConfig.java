package io.dialtone.routing;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipTrunk;
import java.util.List;

/**
 * One gateway's complete configuration: the gateway and the trunks and rules that belong to it, with secrets
 * already resolved into inline values. Both the standalone documents and the operator's compiled routing
 * Secret produce this.
 */
public record RoutingConfig(SipGateway gateway, List<SipTrunk> trunks, List<DispatchRule> rules) {
    public RoutingConfig {
        trunks = List.copyOf(trunks);
        rules = List.copyOf(rules);
    }

    public boolean acceptWithoutTrunk() {
        return gateway != null && gateway.getSpec() != null && gateway.getSpec().acceptWithoutTrunk();
    }
}
