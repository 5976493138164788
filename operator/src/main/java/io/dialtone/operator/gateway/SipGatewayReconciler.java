package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.GatewayMedia;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipGatewayStatus;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.config.CompiledRouting;
import io.dialtone.operator.calls.CallLedger;
import io.dialtone.operator.calls.DeletionCost;
import io.dialtone.operator.calls.StatsClient;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.operator.routing.Compilation;
import io.dialtone.operator.routing.Membership;
import io.dialtone.operator.routing.ResourceKey;
import io.dialtone.operator.routing.RoutingCompiler;
import io.dialtone.operator.routing.Compilations;
import io.dialtone.operator.status.Conditions;
import io.dialtone.operator.status.Propagation;
import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Counters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a SipGateway (docs/architecture.md, "The operator"): compiles its trunks and rules into the routing
 * Secret, applies its children with server-side apply, records its pods' call counts in its call ledger, and writes
 * its status. Trunk, rule, Secret and pod changes lead here, and so does each change in what its pods' /stats say,
 * which a polling event source reads every few seconds.
 */
@Workflow(explicitInvocation = true, dependents = {
        @Dependent(name = "service-account", type = ServiceAccountDependent.class),
        @Dependent(name = "role", type = RoleDependent.class),
        @Dependent(name = "role-binding", type = RoleBindingDependent.class, dependsOn = {"service-account", "role"}),
        @Dependent(name = "service", type = ServiceDependent.class),
        @Dependent(name = "deployment", type = DeploymentDependent.class, dependsOn = "role-binding"),
        @Dependent(name = "pod-disruption-budget", type = PodDisruptionBudgetDependent.class),
        @Dependent(name = "autoscaler", type = AutoscalerDependent.class, dependsOn = "deployment",
                reconcilePrecondition = AutoscalingEnabled.class)})
@ControllerConfiguration(name = "sipgateway")
public final class SipGatewayReconciler implements Reconciler<SipGateway> {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    private static final Logger LOG = LoggerFactory.getLogger(SipGatewayReconciler.class);
    private static final String FIELD_MANAGER = "dialtone-operator";

    private final Compilations compilations;
    private final EventRecorder events;
    private final StatsClient stats;
    private final CallRecorder recorder;
    private final Duration statsInterval;
    private final Map<ResourceID, String> compiledInputs = new ConcurrentHashMap<>();
    /** Secrets users label for the operator to read: LiveKit credentials, digest credentials, PINs. */
    private static final String REFERENCED_SECRETS = "referenced-secrets";
    private static final long MISSING_SECRET_RECHECK_MILLIS = 10_000;
    /** Secrets the operator writes: routing and the /stats token. */
    private static final String OWN_SECRETS = "own-secrets";
    private static final String POD_STATS = "pod-stats";
    private static final int POLLING_THREADS = 4;

    /** @param statsInterval how often each gateway's pods' /stats are read */
    public SipGatewayReconciler(Compilations compilations, EventRecorder events, StatsClient stats,
                                DeletionCost deletionCost, Duration statsInterval) {
        this.compilations = compilations;
        this.events = events;
        this.stats = stats;
        this.recorder = new CallRecorder(stats, deletionCost, events);
        this.statsInterval = statsInterval;
    }

    @Override
    public List<EventSource<?, SipGateway>> prepareEventSources(EventSourceContext<SipGateway> context) {
        InformerEventSource<SipTrunk, SipGateway> trunks = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(SipTrunk.class, SipGateway.class)
                        .withOnUpdateFilter(SipGatewayReconciler::specChanged)
                        .withSecondaryToPrimaryMapper(t -> gatewaysOf(context, t, t.getSpec().gatewayRef())).build(),
                context);
        InformerEventSource<DispatchRule, SipGateway> rules = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(DispatchRule.class, SipGateway.class)
                        .withOnUpdateFilter(SipGatewayReconciler::specChanged)
                        .withSecondaryToPrimaryMapper(r -> gatewaysOf(context, r, r.getSpec().gatewayRef())).build(),
                context);
        InformerEventSource<Secret, SipGateway> secrets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, SipGateway.class).withName(REFERENCED_SECRETS)
                        .withLabelSelector(SpecRules.SECRET_LABEL)
                        .withSecondaryToPrimaryMapper(this::readers).build(), context);
        InformerEventSource<Secret, SipGateway> owned = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Secret.class, SipGateway.class).withName(OWN_SECRETS)
                        .withLabelSelector(GatewayNames.MANAGED_SELECTOR)
                        .withSecondaryToPrimaryMapper(this::readers).build(), context);
        InformerEventSource<Pod, SipGateway> pods = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, SipGateway.class)
                        .withLabelSelector(GatewayNames.GATEWAY_PODS_SELECTOR)
                        .withSecondaryToPrimaryMapper(p -> {
                            String gateway = p.getMetadata().getLabels().get(GatewayNames.LABEL_INSTANCE);
                            return gateway == null ? Set.of() : Set.of(new ResourceID(gateway, p.getMetadata().getNamespace()));
                        }).build(), context);
        // Every few seconds the /stats of each gateway's running pods; a change in any wakes its gateway.
        PerResourcePollingEventSource<StatsDocument, SipGateway, String> polled = new PerResourcePollingEventSource<>(
                StatsDocument.class, context, new PerResourcePollingConfigurationBuilder<StatsDocument, SipGateway, String>(
                gateway -> stats.read(podsOf(pods, gateway), statsToken(owned, gateway)), statsInterval)
                .withName(POD_STATS).withResourceIDMapper(report -> report.pod().uid())
                // Gateways are read side by side: one with an unreachable pod does not hold up the others.
                .withExecutorService(java.util.concurrent.Executors.newScheduledThreadPool(POLLING_THREADS))
                .build());
        return List.of(trunks, rules, secrets, owned, pods, polled);
    }

    private static List<Pod> podsOf(InformerEventSource<Pod, SipGateway> pods, SipGateway gateway) {
        return pods.list(gateway.getMetadata().getNamespace(), pod -> gateway.getMetadata().getName()
                .equals(pod.getMetadata().getLabels().get(GatewayNames.LABEL_INSTANCE))).toList();
    }

    /** The bearer token the gateway's pods ask for on /stats, once the operator has created it. */
    private static Optional<String> statsToken(InformerEventSource<Secret, SipGateway> owned, SipGateway gateway) {
        return owned.get(new ResourceID(GatewayNames.statsTokenSecret(gateway), gateway.getMetadata().getNamespace()))
                .map(secret -> LabelledSecrets.decode(secret).get(GatewayNames.STATS_TOKEN_KEY));
    }

    /**
     * Only a trunk's or rule's spec (its generation) goes into a compilation: the status the trunk and rule
     * reconcilers write must not wake the gateway's reconciler, which would only find its inputs unchanged.
     */
    private static boolean specChanged(HasMetadata now, HasMetadata before) {
        return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration());
    }

    private static Set<ResourceID> gatewaysOf(EventSourceContext<SipGateway> context, HasMetadata resource, String ref) {
        String namespace = resource.getMetadata().getNamespace();
        if (ref != null) {
            return Set.of(new ResourceID(ref, namespace));
        }
        return context.getPrimaryCache().list(namespace).map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    /**
     * Gateways whose last compilation read this Secret: a rotated password or key recompiles them. A routing Secret
     * maps to its gateway, so one edited by hand is put back.
     */
    private Set<ResourceID> readers(Secret secret) {
        String namespace = secret.getMetadata().getNamespace();
        Set<ResourceID> readers = new LinkedHashSet<>();
        Map<String, String> labels = secret.getMetadata().getLabels();
        if (labels != null && GatewayNames.MANAGED_BY.equals(labels.get(GatewayNames.LABEL_MANAGED_BY))
                && labels.get(GatewayNames.LABEL_INSTANCE) != null) {
            readers.add(new ResourceID(labels.get(GatewayNames.LABEL_INSTANCE), namespace));
        }
        for (ResourceID gateway : compilations.gateways()) {
            Compilation compilation = compilations.compilation(gateway);
            if (namespace.equals(gateway.getNamespace().orElse(null)) && compilation != null
                    && compilation.secrets().contains(secret.getMetadata().getName())) {
                readers.add(gateway);
            }
        }
        return readers;
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpdateControl<SipGateway> reconcile(SipGateway gateway, Context<SipGateway> context) {
        String namespace = gateway.getMetadata().getNamespace();
        String name = gateway.getMetadata().getName();
        ResourceID id = ResourceID.fromResource(gateway);
        int gatewaysHere = (int) context.getPrimaryCache().list(namespace).count();
        List<SipTrunk> trunks = ((InformerEventSource<SipTrunk, SipGateway>) context.eventSourceRetriever()
                .getEventSourceFor(SipTrunk.class)).list(namespace).toList();
        List<DispatchRule> rules = ((InformerEventSource<DispatchRule, SipGateway>) context.eventSourceRetriever()
                .getEventSourceFor(DispatchRule.class)).list(namespace).toList();
        InformerEventSource<Secret, SipGateway> secrets = (InformerEventSource<Secret, SipGateway>) context
                .eventSourceRetriever().getEventSourceFor(Secret.class, REFERENCED_SECRETS);
        InformerEventSource<Secret, SipGateway> owned = (InformerEventSource<Secret, SipGateway>) context
                .eventSourceRetriever().getEventSourceFor(Secret.class, OWN_SECRETS);

        List<SipTrunk> members = trunks.stream()
                .filter(t -> Membership.belongs(t.getSpec().gatewayRef(), name, gatewaysHere)).toList();
        List<DispatchRule> memberRules = rules.stream()
                .filter(r -> Membership.belongs(r.getSpec().gatewayRef(), name, gatewaysHere)).toList();
        Compilation previous = compilations.compilation(id);
        String inputs = inputs(gateway, members, memberRules, previous, secrets);
        Compilation compilation = previous != null && inputs.equals(compiledInputs.get(id)) ? previous
                : RoutingCompiler.compile(gateway, members, memberRules,
                new LabelledSecrets(secrets, context.getClient(), namespace));
        compiledInputs.put(id, inputs);
        forgetDeletedGateways(context);
        compilations.publish(id, compilation);
        // Counts first: a child that cannot be applied must not keep draining pods from their acknowledgement.
        InformerEventSource<Pod, SipGateway> podSource = (InformerEventSource<Pod, SipGateway>) context
                .eventSourceRetriever().getEventSourceFor(Pod.class);
        List<Pod> pods = podsOf(podSource, gateway);
        CallRecorder.Recorded recorded = recorder.record(gateway, pods,
                context.getSecondaryResources(StatsDocument.class), uids(trunks), uids(rules),
                statsToken(owned, gateway), context.getClient());

        ensureStatsToken(gateway, owned, context);
        if (compilation.succeeded()) {
            publishRouting(gateway, compilation, owned, context);
        } else if (compilation != previous) {
            LOG.warn("SipGateway {}/{} cannot be compiled, its pods keep their routing: {}", namespace, name,
                    compilation.problems());
            events.record(gateway, EventRecorder.WARNING, "CompileFailed", "pods keep their routing: "
                    + String.join("; ", compilation.problems()));
        }
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        wakeChanged(namespace, previous, compilation);
        List<String> unaddressed = GatewayMedia.NODE_EXTERNAL_IP.equals(gateway.getSpec().media().externalAddress())
                ? NodeAddresses.publish(pods, context.getClient()) : List.of();
        SipGatewayStatus status = status(gateway, compilation, pods, recorded.ledger(), unaddressed, context);
        UpdateControl<SipGateway> update;
        if (Objects.equals(status, gateway.getStatus())) {
            update = UpdateControl.noUpdate();
        } else {
            SipGateway patch = new SipGateway();
            patch.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
            patch.setStatus(status);
            update = UpdateControl.patchStatus(patch);
        }
        boolean secretsMissing = compilation.secrets().stream()
                .anyMatch(secret -> secrets.get(new ResourceID(secret, namespace)).isEmpty());
        // A pod told of its counts answers differently at the next read; one that did not hear it (a lost request)
        // would not, so the reconcile comes back on its own.
        return recorded.acknowledging() ? update.rescheduleAfter(statsInterval.toMillis())
                : secretsMissing ? update.rescheduleAfter(MISSING_SECRET_RECHECK_MILLIS) : update;
    }

    /**
     * What a compilation depends on: the gateway's and its trunks' and rules' specs (by UID and generation; their
     * status writes do not count), and every Secret the last compilation read, present or missing. Pod changes and
     * call counts wake the gateway every few seconds; with the same inputs the last compilation stands.
     */
    private static String inputs(SipGateway gateway, List<SipTrunk> trunks, List<DispatchRule> rules,
                                 Compilation previous, InformerEventSource<Secret, SipGateway> secrets) {
        StringBuilder inputs = new StringBuilder(gateway.getMetadata().getUid()).append('/')
                .append(gateway.getMetadata().getGeneration());
        Stream.concat(trunks.stream(), rules.stream())
                .map(r -> r.getMetadata().getUid() + "@" + r.getMetadata().getGeneration()).sorted()
                .forEach(member -> inputs.append('|').append(member));
        if (previous != null) {
            boolean missing = false;
            for (String secret : previous.secrets().stream().sorted().toList()) {
                String version = secrets.get(new ResourceID(secret, gateway.getMetadata().getNamespace()))
                        .map(s -> s.getMetadata().getResourceVersion()).orElse("missing");
                missing |= version.equals("missing");
                inputs.append("|s:").append(secret).append('@').append(version);
            }
            if (missing) {
                // A Secret created without the label never reaches the cache; look again now and then, so the
                // status says it is unlabelled rather than missing.
                inputs.append("|recheck:").append(System.currentTimeMillis() / MISSING_SECRET_RECHECK_MILLIS);
            }
        }
        return inputs.toString();
    }

    /**
     * Wakes the trunks and rules whose outcome this compilation changed, and those it dropped; all of them when the
     * gateway itself became (un)compilable.
     */
    private void wakeChanged(String namespace, Compilation previous, Compilation compilation) {
        Set<ResourceKey> affected = new LinkedHashSet<>();
        boolean all = previous == null || !previous.problems().equals(compilation.problems());
        compilation.outcomes().forEach((key, outcome) -> {
            if (all || !outcome.equals(previous.outcomes().get(key))) {
                affected.add(key);
            }
        });
        if (previous != null) {
            previous.outcomes().keySet().stream().filter(key -> !compilation.outcomes().containsKey(key))
                    .forEach(affected::add);
        }
        affected.forEach(key -> compilations.wake(key, namespace));
    }

    private static Set<String> uids(List<? extends HasMetadata> resources) {
        return resources.stream().map(r -> r.getMetadata().getUid()).collect(Collectors.toSet());
    }

    /** What is kept per gateway goes with the gateway. */
    private void forgetDeletedGateways(Context<SipGateway> context) {
        Set<ResourceID> live = context.getPrimaryCache().list().map(ResourceID::fromResource)
                .collect(Collectors.toSet());
        compiledInputs.keySet().retainAll(live);
        compilations.retain(live);
    }

    /** Creates the pods' /stats token once; an existing one is kept, so pods and the operator agree on it. */
    private void ensureStatsToken(SipGateway gateway, InformerEventSource<Secret, SipGateway> secrets,
                                  Context<SipGateway> context) {
        String name = GatewayNames.statsTokenSecret(gateway);
        if (secrets.get(new ResourceID(name, gateway.getMetadata().getNamespace())).isPresent()) {
            return;
        }
        try {
            context.getClient().resource(GatewayResources.statsTokenSecret(gateway)).create();
            LOG.info("SipGateway {}/{}: created Secret {}, the token its pods ask for on /stats",
                    gateway.getMetadata().getNamespace(), gateway.getMetadata().getName(), name);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() != java.net.HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            // Someone else's Secret has the name: the operator cannot see its token (it reads only its own), and
            // must not take it over. Said on the gateway; its pods' /stats stay closed to the operator meanwhile.
            String why = "Secret " + name + " exists but was not made by the operator (no label "
                    + GatewayNames.MANAGED_SELECTOR + "): delete it, and the operator makes the /stats token anew";
            LOG.warn("SipGateway {}/{}: {}", gateway.getMetadata().getNamespace(), gateway.getMetadata().getName(),
                    why);
            events.record(gateway, EventRecorder.WARNING, "StatsTokenConflict", why);
        }
    }

    /**
     * Writes the routing Secret when its content differs from the compilation, a new revision or a Secret someone
     * edited by hand; pods pick it up through their watch.
     */
    private void publishRouting(SipGateway gateway, Compilation compilation, InformerEventSource<Secret, SipGateway> secrets,
                                Context<SipGateway> context) {
        String namespace = gateway.getMetadata().getNamespace();
        String secretName = GatewayNames.routingSecret(gateway);
        Secret existing = secrets.get(new ResourceID(secretName, namespace)).orElse(null);
        Secret desired = GatewayResources.routingSecret(gateway, compilation);
        if (existing != null && existing.getMetadata().getAnnotations() != null && compilation.revision()
                .equals(existing.getMetadata().getAnnotations().get(CompiledRouting.REVISION_ANNOTATION))
                && desired.getData().equals(existing.getData())) {
            return;
        }
        context.getClient().resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        String summary = "routing revision " + compilation.revision() + ": " + compilation.included() + " of "
                + compilation.outcomes().size() + " trunks and rules";
        LOG.info("SipGateway {}/{}: published {} ({} KiB compressed)", namespace, gateway.getMetadata().getName(),
                summary, compilation.document().length / 1024);
        events.record(gateway, EventRecorder.NORMAL, "Compiled", summary);
    }

    /** @param unaddressed why pods lack their node's address (nodeExternalIP), in words */
    private SipGatewayStatus status(SipGateway gateway, Compilation compilation, List<Pod> pods, CallLedger ledger,
                                    List<String> unaddressed, Context<SipGateway> context) {
        SipGatewayStatus previous = gateway.getStatus();
        Counters totals = ledger.totals().gateway();
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        int replicas = deployment == null || deployment.getStatus() == null || deployment.getStatus().getReplicas() == null
                ? 0 : deployment.getStatus().getReplicas();
        Map<String, String> ready = StatsClient.readyPods(pods);
        String revision = compilation.succeeded() ? compilation.revision()
                : previous == null ? null : previous.routingRevision();
        Propagation propagation = revision == null
                ? new Propagation(false, "SipGateway " + gateway.getMetadata().getName() + " has no routing revision yet")
                : Propagation.of(gateway.getMetadata().getName(), "routing revision " + revision, ready,
                ledger.revisions(), revision::equals);

        Conditions conditions = new Conditions(previous == null ? null : previous.conditions(),
                gateway.getMetadata().getGeneration());
        List<String> degraded = new ArrayList<>(compilation.problems());
        List<String> problems = new ArrayList<>(degraded);
        problems.addAll(unaddressed);
        conditions.set(DEGRADED, !problems.isEmpty(), !degraded.isEmpty() ? "Invalid"
                : !unaddressed.isEmpty() ? "NoNodeAddress" : "Healthy", problems.isEmpty()
                ? "routing compiles and every setting is usable" : String.join("; ", problems));
        boolean rolling = deployment != null && deployment.getStatus() != null
                && !Objects.equals(deployment.getStatus().getUpdatedReplicas(), deployment.getStatus().getReplicas());
        conditions.set(PROGRESSING, rolling || !propagation.done(), rolling ? "RollingUpdate"
                : propagation.done() ? "Stable" : "Propagating", rolling ? "gateway pods are being replaced"
                : propagation.message());
        String readyMessage = ready.isEmpty() ? "no gateway pod is ready"
                : !degraded.isEmpty() ? "pods run an older routing revision: " + String.join("; ", degraded)
                : ready.size() + " pod(s) ready; " + propagation.message();
        conditions.set(READY, !ready.isEmpty() && degraded.isEmpty(), ready.isEmpty() ? "NoReadyPods"
                : degraded.isEmpty() ? "Ready" : "Degraded", readyMessage);
        return new SipGatewayStatus(gateway.getMetadata().getGeneration(), replicas, ready.size(),
                GatewayNames.selector(gateway).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",")),
                endpoints(gateway, context), revision, totals.active(), totals.total(), totals.rejected(),
                totals.rejections().isEmpty() ? null : new java.util.TreeMap<>(totals.rejections()), conditions.build());
    }

    /** address:port/transport for each transport, from the SIP Service: load balancer address, else cluster IP. */
    private static List<String> endpoints(SipGateway gateway, Context<SipGateway> context) {
        Service service = context.getSecondaryResource(Service.class).orElse(null);
        if (service == null || service.getSpec() == null) {
            return null;
        }
        List<String> addresses = new ArrayList<>();
        if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            service.getStatus().getLoadBalancer().getIngress()
                    .forEach(i -> addresses.add(i.getIp() != null ? i.getIp() : i.getHostname()));
        }
        if (addresses.isEmpty() && service.getSpec().getClusterIP() != null && !"None".equals(service.getSpec().getClusterIP())) {
            addresses.add(service.getSpec().getClusterIP());
        }
        List<String> endpoints = new ArrayList<>();
        for (String address : addresses) {
            service.getSpec().getPorts().forEach(p -> endpoints.add(address + ":" + p.getPort() + "/"
                    + p.getName().replace("sip-", "")));
        }
        return endpoints.isEmpty() ? null : endpoints;
    }
}
