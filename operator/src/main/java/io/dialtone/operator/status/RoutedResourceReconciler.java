package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.GatewayMember;
import io.dialtone.api.v1alpha1.RoutedStatus;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.operator.calls.CallLedger;
import io.dialtone.operator.calls.LedgerNames;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.operator.routing.Compilation;
import io.dialtone.operator.routing.Compilations;
import io.dialtone.operator.routing.Membership;
import io.dialtone.operator.routing.Outcome;
import io.dialtone.operator.routing.ResourceKey;
import io.dialtone.stats.StatsDocument.Counters;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the status of a SipTrunk or DispatchRule, all of it: Ready, Propagated and Conflict (and Shadowed for rules)
 * from its gateway's latest compilation and the pods its call ledger lists, and call counts from that ledger by the
 * resource's UID. It never touches spec, and it writes status only when something in it changed.
 */
public abstract class RoutedResourceReconciler<R extends CustomResource<? extends GatewayMember, S>,
        S extends RoutedStatus> implements Reconciler<R> {
    public static final String READY = "Ready";
    public static final String PROPAGATED = "Propagated";
    public static final String CONFLICT = "Conflict";
    public static final String SHADOWED = "Shadowed";

    private static final Logger LOG = LoggerFactory.getLogger(RoutedResourceReconciler.class);
    private final Compilations compilations;
    private final EventRecorder events;
    private final String kind;
    private final Class<R> type;
    private final StatusFactory<S> statuses;
    private final SimpleInboundEventSource<R> compiled;

    /** @param compiled where the SipGateway reconciler says that this kind's outcome changed */
    protected RoutedResourceReconciler(Compilations compilations, EventRecorder events, String kind, Class<R> type,
                                       StatusFactory<S> statuses, SimpleInboundEventSource<R> compiled) {
        this.compilations = compilations;
        this.events = events;
        this.statuses = statuses;
        this.compiled = compiled;
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
        // The ledger changes when counts, pods or their revisions do: every member of its gateway may show it.
        InformerEventSource<ConfigMap, R> ledgers = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ConfigMap.class, type).withLabelSelector(LedgerNames.LABEL)
                        .withSecondaryToPrimaryMapper(ledger -> LedgerNames.gatewayOf(ledger).map(gateway -> context
                                .getPrimaryCache().list(ledger.getMetadata().getNamespace())
                                .filter(member -> member.getSpec() == null || member.getSpec().gatewayRef() == null
                                        || gateway.equals(member.getSpec().gatewayRef()))
                                .map(ResourceID::fromResource).collect(Collectors.toSet())).orElse(Set.of()))
                        .build(), context);
        return List.of(gateways, ledgers, compiled);
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
        Long generation = resource.getMetadata().getGeneration();
        Conditions conditions = new Conditions(previous == null ? null : previous.conditions(), generation);
        Counters counts = Counters.NONE;
        boolean compiling = false;

        if (membership.gateway() == null) {
            conditions.set(READY, false, membership.reason(), membership.message())
                    .set(PROPAGATED, Conditions.UNKNOWN, membership.reason(), membership.message());
            setConflict(conditions, null);
        } else {
            ResourceID gatewayId = new ResourceID(membership.gateway(), namespace);
            Compilation compilation = compilations.compilation(gatewayId);
            Outcome outcome = compilation == null ? null
                    : compilation.outcomes().get(new ResourceKey(kind, resource.getMetadata().getName()));
            CallLedger ledger = ledger(context, gatewayId);
            CallLedger.Tally totals = ledger.totals();
            counts = ("SipTrunk".equals(kind) ? totals.trunks() : totals.rules())
                    .getOrDefault(resource.getMetadata().getUid(), Counters.NONE);
            compiling = !describe(conditions, resource.getMetadata(), membership.gateway(), gatewayId,
                    compilation, outcome, ledger);
        }
        S status = statuses.create(generation, counts.active(), counts.total(), counts.rejected(),
                counts.rejections().isEmpty() ? null : new java.util.TreeMap<>(counts.rejections()),
                counts.lastCallTime() == null ? null : counts.lastCallTime().toString(), conditions.build());
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

    /** The gateway's call ledger as its ConfigMap holds it; none yet before its first call or pod. */
    @SuppressWarnings("unchecked")
    private CallLedger ledger(Context<R> context, ResourceID gateway) {
        var ledgers = (InformerEventSource<ConfigMap, R>) context.eventSourceRetriever()
                .getEventSourceFor(ConfigMap.class);
        return ledgers.get(new ResourceID(LedgerNames.configMap(gateway.getName()), gateway.getNamespace().orElseThrow()))
                .map(configMap -> {
                    try {
                        return LedgerNames.read(configMap);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        LOG.warn("ConfigMap {} does not hold a call ledger ({}); counts show as zero until the "
                                + "gateway's reconciler writes it anew", configMap.getMetadata().getName(),
                                e.getOriginalMessage());
                        return CallLedger.EMPTY;
                    }
                }).orElse(CallLedger.EMPTY);
    }

    /** @return false while the gateway has not compiled this generation yet */
    private boolean describe(Conditions conditions, ObjectMeta resource, String gateway, ResourceID gatewayId,
                             Compilation compilation, Outcome outcome, CallLedger ledger) {
        String name = resource.getName();
        long current = resource.getGeneration() == null ? 0 : resource.getGeneration();
        if (compilation == null || outcome == null || !outcome.of(resource.getUid(), current)) {
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
            Propagation propagation = Propagation.of(gateway, "generation " + current, ledger.readyPods(),
                    ledger.revisions(), revision -> compilations.holds(gatewayId, revision, new ResourceKey(kind, name),
                            resource.getUid(), current));
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
