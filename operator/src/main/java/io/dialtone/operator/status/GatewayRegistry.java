package io.dialtone.operator.status;

import io.dialtone.operator.routing.Compilation;
import io.dialtone.operator.routing.ResourceKey;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
    private static final int REVISIONS_KEPT = 64;
    private final Instant started = Instant.now();
    private final Map<ResourceID, Compilation> compilations = new ConcurrentHashMap<>();
    private final Map<ResourceID, CallLedger> ledgers = new ConcurrentHashMap<>();
    private final Map<ResourceID, Map<String, Map<ResourceKey, Long>>> history = new ConcurrentHashMap<>();
    private volatile SimpleInboundEventSource<?> gatewayEvents;
    private volatile SimpleInboundEventSource<?> trunkEvents;
    private volatile SimpleInboundEventSource<?> ruleEvents;
    private volatile Function<ResourceID, List<Pod>> pods = id -> List.of();
    private volatile Predicate<ResourceID> exists = id -> true;
    private volatile Function<ResourceID, java.util.Optional<String>> statsTokens = id -> java.util.Optional.empty();

    public Compilation compilation(ResourceID gateway) {
        return compilations.get(gateway);
    }

    public void publish(ResourceID gateway, Compilation compilation) {
        if (compilation.succeeded()) {
            Map<ResourceKey, Long> generations = new HashMap<>();
            compilation.outcomes().forEach((key, outcome) -> {
                if (outcome.included()) {
                    generations.put(key, outcome.generation());
                }
            });
            Map<String, Map<ResourceKey, Long>> revisions = history.computeIfAbsent(gateway, id -> revisionHistory());
            synchronized (revisions) {
                revisions.put(compilation.revision(), generations);
            }
        }
        compilations.put(gateway, compilation);
    }

    /**
     * Whether a routing revision the gateway published holds this trunk or rule at this generation. A resource that
     * did not change stays propagated while other edits roll out; only its own edit makes it wait for the pods.
     */
    public boolean holds(ResourceID gateway, String revision, ResourceKey key, long generation) {
        Map<String, Map<ResourceKey, Long>> revisions = history.get(gateway);
        if (revisions == null) {
            return false;
        }
        synchronized (revisions) {
            Map<ResourceKey, Long> generations = revisions.get(revision);
            return generations != null && Long.valueOf(generation).equals(generations.get(key));
        }
    }

    /** Whether every ready pod of the gateway runs a revision with this generation of the resource. */
    public Propagation propagation(ResourceID gateway, ResourceKey key, long generation) {
        return propagation(gateway, key, generation, StatsScraper.readyPods(pods(gateway)), ledger(gateway).revisions());
    }

    /** Whether each trunk and rule of the last compilation is propagated; the pods are read once for all of them. */
    public Map<ResourceKey, Boolean> propagated(ResourceID gateway) {
        Compilation compilation = compilation(gateway);
        Map<ResourceKey, Boolean> propagated = new HashMap<>();
        if (compilation != null) {
            Map<String, String> ready = StatsScraper.readyPods(pods(gateway));
            Map<String, String> revisions = ledger(gateway).revisions();
            compilation.outcomes().forEach((key, outcome) -> propagated.put(key,
                    propagation(gateway, key, outcome.generation(), ready, revisions).done()));
        }
        return propagated;
    }

    private Propagation propagation(ResourceID gateway, ResourceKey key, long generation, Map<String, String> ready,
                                    Map<String, String> revisions) {
        return Propagation.of(gateway.getName(), "generation " + generation, ready, revisions,
                revision -> holds(gateway, revision, key, generation));
    }

    /** The last revisions; pods that run an older one are reported as behind. */
    private static Map<String, Map<ResourceKey, Long>> revisionHistory() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<ResourceKey, Long>> eldest) {
                return size() > REVISIONS_KEPT;
            }
        };
    }

    private void forget(ResourceID gateway) {
        compilations.remove(gateway);
        history.remove(gateway);
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

    /** The bearer token a gateway's pods ask for on /stats, once the operator has created it. */
    public java.util.Optional<String> statsToken(ResourceID gateway) {
        return statsTokens.apply(gateway);
    }

    public void useStatsTokens(Function<ResourceID, java.util.Optional<String>> reader) {
        this.statsTokens = reader;
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
