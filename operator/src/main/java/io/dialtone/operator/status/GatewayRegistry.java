package io.dialtone.operator.status;

import io.dialtone.operator.routing.Compilation;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the reconcilers share about each SipGateway: its latest compilation, its call ledger, and how to find its
 * pods. The SipGateway reconciler writes compilations, the scraper feeds the ledgers, and the SipTrunk and
 * DispatchRule reconcilers read both to write their status. Each side wakes the others through inbound events.
 */
public final class GatewayRegistry {
    private final Instant started = Instant.now();
    private final Map<ResourceID, Compilation> compilations = new ConcurrentHashMap<>();
    private final Map<ResourceID, CallLedger> ledgers = new ConcurrentHashMap<>();
    private volatile SimpleInboundEventSource<?> gatewayEvents;
    private volatile SimpleInboundEventSource<?> trunkEvents;
    private volatile SimpleInboundEventSource<?> ruleEvents;
    private volatile Function<ResourceID, List<Pod>> pods = id -> List.of();
    private volatile Predicate<ResourceID> exists = id -> true;

    public Compilation compilation(ResourceID gateway) {
        return compilations.get(gateway);
    }

    /** @return the compilation it replaces, or null */
    public Compilation publish(ResourceID gateway, Compilation compilation) {
        return compilations.put(gateway, compilation);
    }

    public void forget(ResourceID gateway) {
        compilations.remove(gateway);
        ledgers.remove(gateway);
    }

    public Set<ResourceID> gateways() {
        return Set.copyOf(compilations.keySet());
    }

    /** Forgets gateways that were deleted; their children go with them through owner references. */
    public void prune() {
        compilations.keySet().stream().filter(exists.negate()).toList().forEach(this::forget);
    }

    public void useGatewayExists(Predicate<ResourceID> exists) {
        this.exists = exists;
    }

    public CallLedger ledger(ResourceID gateway) {
        return ledgers.computeIfAbsent(gateway, id -> new CallLedger(started));
    }

    public List<Pod> pods(ResourceID gateway) {
        return pods.apply(gateway);
    }

    public void usePods(Function<ResourceID, List<Pod>> lister) {
        this.pods = lister;
    }

    public void useGatewayEvents(SimpleInboundEventSource<?> source) {
        gatewayEvents = source;
    }

    public void useTrunkEvents(SimpleInboundEventSource<?> source) {
        trunkEvents = source;
    }

    public void useRuleEvents(SimpleInboundEventSource<?> source) {
        ruleEvents = source;
    }

    public void wakeGateway(ResourceID gateway) {
        wake(gatewayEvents, gateway);
    }

    /** Wakes the reconciler of a SipTrunk or DispatchRule. */
    public void wake(String kind, String namespace, String name) {
        wake("SipTrunk".equals(kind) ? trunkEvents : ruleEvents, new ResourceID(name, namespace));
    }

    /** Before its controller started, a source has no handler; the controller's first reconcile covers that. */
    private static void wake(SimpleInboundEventSource<?> source, ResourceID id) {
        if (source != null) {
            source.propagateEvent(id);
        }
    }
}
