package io.dialtone.operator.routing;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.collections.BoundedMaps;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each SipGateway's latest compilation, written by the SipGateway reconciler alone and read by the SipTrunk and
 * DispatchRule reconcilers, which it wakes through the two event sources made here (each reconciler declares its
 * own as one of its event sources). Kept in memory only: after a restart the first reconcile of each gateway
 * compiles again.
 */
public final class Compilations {
    private static final int REVISIONS_KEPT = 64;
    private final Map<ResourceID, Compilation> latest = new ConcurrentHashMap<>();
    /** Per gateway, per routing revision, the outcome of each trunk and rule it holds. */
    private final Map<ResourceID, Map<String, Map<ResourceKey, Outcome>>> history = new ConcurrentHashMap<>();
    private final SimpleInboundEventSource<SipTrunk> trunkWakeups = new SimpleInboundEventSource<>("siptrunk-compiled");
    private final SimpleInboundEventSource<DispatchRule> ruleWakeups =
            new SimpleInboundEventSource<>("dispatchrule-compiled");

    public Compilation compilation(ResourceID gateway) {
        return latest.get(gateway);
    }

    public void publish(ResourceID gateway, Compilation compilation) {
        if (compilation.succeeded()) {
            Map<ResourceKey, Outcome> included = new HashMap<>();
            compilation.outcomes().forEach((key, outcome) -> {
                if (outcome.included()) {
                    included.put(key, outcome);
                }
            });
            Map<String, Map<ResourceKey, Outcome>> revisions = history.computeIfAbsent(gateway, id -> revisionHistory());
            synchronized (revisions) {
                revisions.put(compilation.revision(), included);
            }
        }
        latest.put(gateway, compilation);
    }

    /**
     * Whether a routing revision the gateway published holds this trunk or rule (by UID) at this generation. A
     * resource that did not change stays propagated while other edits roll out; only its own edit, or its
     * recreation under the same name, makes it wait for the pods.
     */
    public boolean holds(ResourceID gateway, String revision, ResourceKey key, String uid, long generation) {
        Map<String, Map<ResourceKey, Outcome>> revisions = history.get(gateway);
        if (revisions == null) {
            return false;
        }
        synchronized (revisions) {
            Map<ResourceKey, Outcome> included = revisions.get(revision);
            Outcome outcome = included == null ? null : included.get(key);
            return outcome != null && outcome.of(uid, generation);
        }
    }

    /** The last revisions; pods that run an older one are reported as behind. */
    private static Map<String, Map<ResourceKey, Outcome>> revisionHistory() {
        return BoundedMaps.oldestFirst(REVISIONS_KEPT);
    }

    public Set<ResourceID> gateways() {
        return Set.copyOf(latest.keySet());
    }

    /** Forgets gateways that were deleted. */
    public void retain(Set<ResourceID> gateways) {
        latest.keySet().retainAll(gateways);
        history.keySet().retainAll(gateways);
    }

    /** Wakes the reconciler of a SipTrunk or DispatchRule whose outcome changed. */
    public void wake(ResourceKey key, String namespace) {
        ResourceID id = new ResourceID(key.name(), namespace);
        if ("SipTrunk".equals(key.kind())) {
            trunkWakeups.propagateEvent(id);
        } else {
            ruleWakeups.propagateEvent(id);
        }
    }

    public SimpleInboundEventSource<SipTrunk> trunkWakeups() {
        return trunkWakeups;
    }

    public SimpleInboundEventSource<DispatchRule> ruleWakeups() {
        return ruleWakeups;
    }
}
