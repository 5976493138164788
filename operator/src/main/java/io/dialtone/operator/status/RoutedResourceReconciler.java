package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.GatewayMember;
import io.dialtone.api.v1alpha1.RoutedStatus;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.operator.routing.Compilation;
import io.dialtone.operator.routing.Membership;
import io.dialtone.operator.routing.Outcome;
import io.dialtone.operator.routing.ResourceKey;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Writes the status of a SipTrunk or DispatchRule: Ready, Propagated and Conflict (and Shadowed for rules) from its
 * gateway's latest compilation and pods, and call counts from the gateway's ledger. It never touches spec, and it
 * writes status only when something in it changed.
 */
public abstract class RoutedResourceReconciler<R extends CustomResource<? extends GatewayMember, S>,
        S extends RoutedStatus> implements Reconciler<R> {
    public static final String READY = "Ready";
    public static final String PROPAGATED = "Propagated";
    public static final String CONFLICT = "Conflict";
    public static final String SHADOWED = "Shadowed";

    protected final GatewayRegistry registry;
    private final EventRecorder events;
    private final String kind;
    private final Class<R> type;
    private final StatusFactory<S> statuses;
    private final Consumer<SimpleInboundEventSource<?>> wakeupSink;
    private final Map<String, CountBase> bases = new ConcurrentHashMap<>();

    protected RoutedResourceReconciler(GatewayRegistry registry, EventRecorder events, String kind, Class<R> type,
                                       StatusFactory<S> statuses, Consumer<SimpleInboundEventSource<?>> wakeupSink) {
        this.registry = registry;
        this.events = events;
        this.statuses = statuses;
        this.wakeupSink = wakeupSink;
        this.kind = kind;
        this.type = type;
    }

    /** The status record's canonical constructor: SipTrunkStatus::new, DispatchRuleStatus::new. */
    @FunctionalInterface
    protected interface StatusFactory<S> {
        S create(Long observedGeneration, Long activeCalls, Long totalCalls, Long rejectedCalls,
                 Map<String, Long> rejections, String lastCallTime, List<Condition> conditions);
    }

    @Override
    public List<EventSource<?, R>> prepareEventSources(EventSourceContext<R> context) {
        InformerEventSource<SipGateway, R> gateways = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(SipGateway.class, type)
                        .withSecondaryToPrimaryMapper(gateway -> context.getPrimaryCache()
                                .list(gateway.getMetadata().getNamespace()).map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        // A gateway's status changes with every call; only its coming, going or spec matter here,
                        // and the gateway side wakes the resources its compilations and pods affect.
                        .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getGeneration(),
                                before.getMetadata().getGeneration()))
                        .build(), context);
        SimpleInboundEventSource<R> wakeups = new SimpleInboundEventSource<>(kind + "-wakeups");
        wakeupSink.accept(wakeups);
        return List.of(gateways, wakeups);
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        String namespace = resource.getMetadata().getNamespace();
        List<SipGateway> gateways = ((InformerEventSource<SipGateway, R>) context.eventSourceRetriever()
                .getEventSourceFor(SipGateway.class)).list(namespace).toList();
        Membership membership = Membership.of(kind, resource.getSpec() == null ? null
                : resource.getSpec().gatewayRef(), gateways);
        S previous = resource.getStatus();
        CountBase base = bases.computeIfAbsent(resource.getMetadata().getUid(),
                uid -> CountBase.of(previous, previous == null ? null : previous.rejections(),
                        previous == null ? null : previous.lastCallTime()));
        Long generation = resource.getMetadata().getGeneration();
        Conditions conditions = new Conditions(previous == null ? null : previous.conditions(), generation);
        CallLedger.Counts counts = CallLedger.Counts.NONE;
        boolean compiling = false;

        if (membership.gateway() == null) {
            conditions.set(READY, false, membership.reason(), membership.message())
                    .set(PROPAGATED, Conditions.UNKNOWN, membership.reason(), membership.message());
            setConflict(conditions, null);
        } else {
            ResourceID gatewayId = new ResourceID(membership.gateway(), namespace);
            Compilation compilation = registry.compilation(gatewayId);
            Outcome outcome = compilation == null ? null
                    : compilation.outcomes().get(new ResourceKey(kind, resource.getMetadata().getName()));
            counts = registry.ledger(gatewayId).counts(new CallLedger.Key(kind, resource.getMetadata().getName()));
            compiling = !describe(conditions, resource.getMetadata().getName(), membership.gateway(), gatewayId,
                    compilation, outcome, generation);
        }
        CountBase.Totals totals = base.plus(counts);
        S status = statuses.create(generation, totals.active(), totals.total(), totals.rejected(), totals.rejections(),
                totals.lastCallTime(), conditions.build());
        if (Objects.equals(status, previous) || (previous == null && compiling)) {
            // A new resource waits for its gateway's compilation, which wakes it: one status write, not two.
            return UpdateControl.noUpdate();
        }
        announce(resource, previous, status);
        try {
            R patch = type.getDeclaredConstructor().newInstance();
            patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
                    .withNamespace(namespace).build());
            patch.setStatus(status);
            return UpdateControl.patchStatus(patch);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Events for what a user should notice: a condition that turned, and calls that were rejected. */
    private void announce(R resource, S previous, S next) {
        List<Condition> before = previous == null ? List.of() : previous.conditions();
        for (Condition condition : next.conditions()) {
            boolean turned = before.stream().noneMatch(c -> c.getType().equals(condition.getType())
                    && c.getStatus().equals(condition.getStatus()));
            if (!turned) {
                continue;
            }
            boolean isTrue = Conditions.TRUE.equals(condition.getStatus());
            switch (condition.getType()) {
                case READY -> {
                    if (Conditions.FALSE.equals(condition.getStatus())) {
                        events.record(resource, EventRecorder.WARNING, condition.getReason(), condition.getMessage());
                    }
                }
                case PROPAGATED -> {
                    if (isTrue) {
                        events.record(resource, EventRecorder.NORMAL, "Propagated", condition.getMessage());
                    }
                }
                case CONFLICT, SHADOWED -> {
                    if (isTrue) {
                        events.record(resource, EventRecorder.WARNING, condition.getReason(), condition.getMessage());
                    }
                }
                default -> {
                }
            }
        }
        long rejectedBefore = previous == null || previous.rejectedCalls() == null ? 0 : previous.rejectedCalls();
        if (next.rejectedCalls() != null && next.rejectedCalls() > rejectedBefore) {
            Map<String, Long> reasons = next.rejections();
            events.record(resource, EventRecorder.WARNING, "CallsRejected", next.rejectedCalls()
                    + " call(s) rejected so far: " + (reasons == null ? "" : reasons.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
        }
    }

    /** @return false while the gateway has not compiled this generation yet */
    private boolean describe(Conditions conditions, String name, String gateway, ResourceID gatewayId,
                             Compilation compilation, Outcome outcome, Long generation) {
        long current = generation == null ? 0 : generation;
        if (compilation == null || outcome == null || outcome.generation() != current) {
            String message = "waiting for SipGateway " + gateway + " to compile generation " + current;
            conditions.set(READY, Conditions.UNKNOWN, "Compiling", message)
                    .set(PROPAGATED, Conditions.UNKNOWN, "Compiling", message);
            setConflict(conditions, null);
            return false;
        }
        if (!compilation.succeeded()) {
            String message = "SipGateway " + gateway + " cannot be compiled, so its pods keep their routing: "
                    + String.join("; ", compilation.problems());
            conditions.set(READY, false, "GatewayInvalid", message).set(PROPAGATED, false, "GatewayInvalid", message);
        } else if (!outcome.included()) {
            conditions.set(READY, false, outcome.reason(), outcome.message())
                    .set(PROPAGATED, false, "NotInRouting", "left out of SipGateway " + gateway + "'s routing: "
                            + outcome.message());
        } else {
            String message = "in the routing of SipGateway " + gateway
                    + (outcome.warnings().isEmpty() ? "" : "; warning: " + String.join("; ", outcome.warnings()));
            conditions.set(READY, true, outcome.warnings().isEmpty() ? "Compiled" : "CompiledWithWarnings", message);
            Propagation propagation = registry.propagation(gatewayId, new ResourceKey(kind, name), current);
            conditions.set(PROPAGATED, propagation.done(), propagation.done() ? "Live" : "Waiting",
                    propagation.message());
        }
        setConflict(conditions, outcome.conflict());
        if ("DispatchRule".equals(kind)) {
            conditions.set(SHADOWED, outcome.shadowed() != null, outcome.shadowed() != null ? "NeverMatches" : "Reachable",
                    outcome.shadowed() != null ? outcome.shadowed() : "some calls can match this rule");
        }
        return true;
    }

    private static void setConflict(Conditions conditions, String conflict) {
        conditions.set(CONFLICT, conflict != null, conflict != null ? "Conflict" : "NoConflict",
                conflict != null ? conflict : "no other resource accepts the same calls");
    }
}
