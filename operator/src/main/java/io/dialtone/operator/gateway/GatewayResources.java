package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.Autoscaling;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.GatewayMedia;
import io.dialtone.api.v1alpha1.PodOverrides;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.api.v1alpha1.SipService;
import io.dialtone.api.v1alpha1.SipTransport;
import io.dialtone.config.CompiledRouting;
import io.dialtone.operator.calls.CallLedger;
import io.dialtone.operator.calls.LedgerNames;
import io.dialtone.operator.routing.Compilation;
import io.dialtone.operator.routing.RoutingCompiler;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired children of a SipGateway, as pure functions of its spec (docs/architecture.md, "The operator"). Owner references
 * are added by the dependent resources that apply them.
 */
public final class GatewayResources {
    /** How long a pod gets beyond drain.timeout to stop after its calls ended: JVM shutdown and the last BYEs. */
    static final long SHUTDOWN_MARGIN_SECONDS = 30;
    /**
     * A terminating pod leaves the Service's endpoints at once, but load balancers and carriers take a few seconds
     * to notice; the pod keeps taking calls that long before SIGTERM makes it refuse new ones.
     */
    static final long PRE_STOP_SECONDS = 5;
    /**
     * How long a drained pod waits for the operator to record its last call counts (docs/operator.md, "Call
     * counts"): an operator down for up to this long, or restarting, loses none of them.
     */
    static final String AWAIT_COUNTS_RECORDED = "5m";
    private static final int RUN_AS_USER = 10001;
    static final String STATS_TOKEN_DIRECTORY = "/var/run/dialtone/stats-token";
    static final String NODE_ADDRESS_DIRECTORY = "/var/run/dialtone/node";
    static final String NODE_ADDRESS_FILE = "external-ip";
    /** 5 s apart: 4 minutes, beyond the 3 a pod waits for its node's address. */
    static final int STARTUP_PROBE_FAILURES = 48;

    private GatewayResources() {
    }

    public static ServiceAccount serviceAccount(SipGateway gateway) {
        return new ServiceAccountBuilder().withMetadata(meta(gateway, GatewayNames.workload(gateway), "gateway"))
                .withAutomountServiceAccountToken(true).build();
    }

    /** The gateway may read its own routing Secret and the EndpointSlices of its peers, nothing else. */
    public static Role role(SipGateway gateway) {
        return new RoleBuilder().withMetadata(meta(gateway, GatewayNames.workload(gateway), "gateway"))
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                                .withResourceNames(GatewayNames.routingSecret(gateway))
                                .withVerbs("get", "list", "watch").build(),
                        new PolicyRuleBuilder().withApiGroups("discovery.k8s.io").withResources("endpointslices")
                                .withVerbs("get", "list", "watch").build())
                .build();
    }

    public static RoleBinding roleBinding(SipGateway gateway) {
        String name = GatewayNames.workload(gateway);
        return new RoleBindingBuilder().withMetadata(meta(gateway, name, "gateway"))
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .addNewSubject().withKind("ServiceAccount").withName(name)
                .withNamespace(gateway.getMetadata().getNamespace()).endSubject()
                .build();
    }

    public static Secret routingSecret(SipGateway gateway, Compilation compilation) {
        ObjectMeta meta = meta(gateway, GatewayNames.routingSecret(gateway), "routing");
        meta.setAnnotations(new LinkedHashMap<>(Map.of(CompiledRouting.REVISION_ANNOTATION, compilation.revision())));
        return new SecretBuilder().withMetadata(meta).withType("Opaque")
                .withData(Map.of(CompiledRouting.KEY, Base64.getEncoder().encodeToString(compilation.document())))
                .build();
    }

    /** The ConfigMap that keeps the gateway's call ledger (docs/operator.md, "Status and call counts"). */
    public static ConfigMap callLedger(SipGateway gateway, CallLedger ledger) {
        ObjectMeta meta = meta(gateway, LedgerNames.configMap(gateway.getMetadata().getName()), "call-ledger");
        meta.getLabels().put(LedgerNames.LABEL, gateway.getMetadata().getName());
        return new ConfigMapBuilder().withMetadata(meta).withData(Map.of(LedgerNames.DATA_KEY, LedgerNames.json(ledger)))
                .build();
    }

    /** A new random token for /stats; the operator creates it once and never overwrites it. */
    public static Secret statsTokenSecret(SipGateway gateway) {
        byte[] token = new byte[32];
        TOKENS.nextBytes(token);
        return new SecretBuilder().withMetadata(meta(gateway, GatewayNames.statsTokenSecret(gateway), "stats-token"))
                .withType("Opaque").withData(Map.of(GatewayNames.STATS_TOKEN_KEY, Base64.getEncoder().encodeToString(
                        java.util.HexFormat.of().formatHex(token).getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
                .build();
    }

    private static final java.security.SecureRandom TOKENS = new java.security.SecureRandom();

    public static Deployment deployment(SipGateway gateway, String defaultImage) {
        SipGatewaySpec spec = gateway.getSpec();
        PodOverrides overrides = spec.podTemplate() == null ? new PodOverrides(null, null, null, null, null, null)
                : spec.podTemplate();
        Map<String, String> podLabels = new LinkedHashMap<>(nullToEmpty(overrides.labels()));
        podLabels.putAll(GatewayNames.labels(gateway, "gateway"));
        // Prometheus' annotation-based pod discovery finds /metrics; the podTemplate may say otherwise.
        Map<String, String> podAnnotations = new LinkedHashMap<>(Map.of("prometheus.io/scrape", "true",
                "prometheus.io/port", String.valueOf(GatewayNames.ADMIN_PORT), "prometheus.io/path", "/metrics"));
        podAnnotations.putAll(nullToEmpty(overrides.annotations()));

        List<Volume> volumes = new ArrayList<>(List.of(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build()));
        List<VolumeMount> mounts = new ArrayList<>(List.of(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build()));
        if (spec.sip().tls() != null && spec.sip().tls().secretName() != null) {
            volumes.add(new VolumeBuilder().withName("tls").withNewSecret().withSecretName(spec.sip().tls().secretName())
                    .endSecret().build());
            mounts.add(new VolumeMountBuilder().withName("tls").withMountPath(RoutingCompiler.TLS_DIRECTORY)
                    .withReadOnly(true).build());
        }
        // A mounted Secret, not an environment variable: a new token reaches running pods (the kubelet updates the
        // file), so the operator and the pods never disagree for longer than that.
        volumes.add(new VolumeBuilder().withName("stats-token").withNewSecret()
                .withSecretName(GatewayNames.statsTokenSecret(gateway)).endSecret().build());
        mounts.add(new VolumeMountBuilder().withName("stats-token").withMountPath(STATS_TOKEN_DIRECTORY)
                .withReadOnly(true).build());
        if (GatewayMedia.NODE_EXTERNAL_IP.equals(spec.media().externalAddress())) {
            // The operator writes the node's ExternalIP into the pod's annotation; the downward API makes it a file,
            // so the pod needs no permission to read Nodes.
            volumes.add(new VolumeBuilder().withName("node-address").withNewDownwardAPI().addNewItem()
                    .withPath(NODE_ADDRESS_FILE).withNewFieldRef().withFieldPath("metadata.annotations['"
                            + GatewayNames.NODE_EXTERNAL_IP_ANNOTATION + "']").endFieldRef().endItem()
                    .endDownwardAPI().build());
            mounts.add(new VolumeMountBuilder().withName("node-address").withMountPath(NODE_ADDRESS_DIRECTORY)
                    .withReadOnly(true).build());
        }
        long drainSeconds = Durations.parse(spec.drain().timeout()).toSeconds();

        PodSpecBuilder pod = new PodSpecBuilder()
                .withServiceAccountName(GatewayNames.workload(gateway))
                .withHostNetwork(spec.hostNetwork() ? true : null)
                .withDnsPolicy(spec.hostNetwork() ? "ClusterFirstWithHostNet" : null)
                .withTerminationGracePeriodSeconds(PRE_STOP_SECONDS + drainSeconds
                        + Durations.parse(AWAIT_COUNTS_RECORDED).toSeconds() + SHUTDOWN_MARGIN_SECONDS)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser((long) RUN_AS_USER)
                .withRunAsGroup((long) RUN_AS_USER).withFsGroup((long) RUN_AS_USER)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(container(gateway, defaultImage, mounts))
                .withVolumes(volumes)
                .withNodeSelector(overrides.nodeSelector() == null || overrides.nodeSelector().isEmpty() ? null
                        : overrides.nodeSelector())
                .withTolerations(overrides.tolerations())
                .withPriorityClassName(overrides.priorityClassName());
        if (overrides.affinity() != null) {
            pod.withAffinity(overrides.affinity());
        } else if (spec.hostNetwork()) {
            // Two pods on one node's network would fight over the SIP port.
            pod.withNewAffinity().withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector()
                    .withMatchLabels(GatewayNames.selector(gateway)).endLabelSelector()
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity();
        }

        return new DeploymentBuilder().withMetadata(meta(gateway, GatewayNames.workload(gateway), "gateway"))
                .withNewSpec()
                .withReplicas(spec.autoscaling() != null ? null : spec.replicas() == null ? 1 : spec.replicas())
                .withNewSelector().withMatchLabels(GatewayNames.selector(gateway)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate().endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withSpec(pod.build())
                .endTemplate()
                .endSpec().build();
    }

    private static Container container(SipGateway gateway, String defaultImage, List<VolumeMount> mounts) {
        SipGatewaySpec spec = gateway.getSpec();
        List<String> args = new ArrayList<>(List.of("gateway", "--routing-secret", GatewayNames.routingSecret(gateway),
                "--admin-port", String.valueOf(GatewayNames.ADMIN_PORT),
                "--await-counts-recorded", AWAIT_COUNTS_RECORDED));
        if (GatewayMedia.AUTO.equals(spec.media().externalAddress())) {
            args.addAll(List.of("--advertise", "$(POD_IP)"));
        } else if (GatewayMedia.NODE_EXTERNAL_IP.equals(spec.media().externalAddress())) {
            args.addAll(List.of("--advertise-file", NODE_ADDRESS_DIRECTORY + "/" + NODE_ADDRESS_FILE));
        }
        // An argument, not only the routing document: pods read it at start, so a change rolls them.
        if (spec.media().bridgesAudio()) {
            args.add("--bridge-audio");
            args.addAll(List.of("--room-codec", spec.media().roomCodec().name()));
        } else {
            args.add("--no-bridge-audio");
        }
        if (spec.sip().transports().contains(SipTransport.udp)) {
            // Behind the Service, a call's requests may reach any pod; the pods behind it relay them to the one
            // that holds the call (docs/architecture.md, "Calls find their pod").
            args.addAll(List.of("--peers-from-service", GatewayNames.service(gateway)));
        }
        return new ContainerBuilder()
                .withName("gateway")
                .withImage(spec.image() != null ? spec.image() : defaultImage)
                .withArgs(args)
                .withEnv(fieldEnv("POD_NAME", "metadata.name"), fieldEnv("POD_NAMESPACE", "metadata.namespace"),
                        fieldEnv("POD_UID", "metadata.uid"), fieldEnv("POD_IP", "status.podIP"),
                        new EnvVarBuilder().withName(io.dialtone.stats.StatsDocument.TOKEN_FILE_ENV)
                                .withValue(STATS_TOKEN_DIRECTORY + "/" + GatewayNames.STATS_TOKEN_KEY).build())
                .withPorts(containerPorts(spec))
                .withResources(spec.resources() != null ? spec.resources() : defaultResources())
                .withNewReadinessProbe().withNewHttpGet().withPath("/readyz")
                .withPort(new IntOrString(GatewayNames.ADMIN_PORT_NAME)).endHttpGet()
                .withPeriodSeconds(2).withFailureThreshold(1).endReadinessProbe()
                // Liveness starts once the admin port answers: a pod may first wait up to 3 minutes for its node's
                // address (nodeExternalIP), and the JVM takes its time on a busy node.
                .withNewStartupProbe().withNewHttpGet().withPath("/healthz")
                .withPort(new IntOrString(GatewayNames.ADMIN_PORT_NAME)).endHttpGet()
                .withPeriodSeconds(5).withFailureThreshold(STARTUP_PROBE_FAILURES).endStartupProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/healthz")
                .withPort(new IntOrString(GatewayNames.ADMIN_PORT_NAME)).endHttpGet()
                .withPeriodSeconds(10).withFailureThreshold(3).endLivenessProbe()
                .withNewLifecycle().withNewPreStop().withNewSleep(PRE_STOP_SECONDS).endPreStop().endLifecycle()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .withVolumeMounts(mounts)
                .build();
    }

    private static List<ContainerPort> containerPorts(SipGatewaySpec spec) {
        List<ContainerPort> ports = new ArrayList<>();
        for (SipTransport transport : spec.sip().transports()) {
            switch (transport) {
                case udp -> ports.add(port("sip-udp", spec.sip().port(), "UDP"));
                case tcp -> ports.add(port("sip-tcp", spec.sip().port(), "TCP"));
                case tls -> ports.add(port("sip-tls", spec.sip().tls().port(), "TCP"));
            }
        }
        ports.add(port(GatewayNames.ADMIN_PORT_NAME, GatewayNames.ADMIN_PORT, "TCP"));
        return ports;
    }

    private static ContainerPort port(String name, int number, String protocol) {
        return new ContainerPortBuilder().withName(name).withContainerPort(number).withProtocol(protocol).build();
    }

    private static EnvVar fieldEnv(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path)
                .endFieldRef().endValueFrom().build();
    }

    /** Requests make the CPU target of the autoscaler meaningful; the memory limit keeps a leak from taking the node. */
    private static ResourceRequirements defaultResources() {
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi")))
                .withLimits(Map.of("memory", new Quantity("1Gi")))
                .build();
    }

    /**
     * SIP for carriers. External traffic stays on the node it arrives at so the gateway sees the caller's address,
     * which is what trunks' allowedAddresses are matched against.
     */
    public static Service service(SipGateway gateway) {
        SipGatewaySpec spec = gateway.getSpec();
        SipService service = spec.service();
        ObjectMeta meta = meta(gateway, GatewayNames.service(gateway), "gateway");
        meta.setAnnotations(new LinkedHashMap<>(service.annotations()));
        List<ServicePort> ports = new ArrayList<>();
        for (ContainerPort port : containerPorts(spec)) {
            if (!GatewayNames.ADMIN_PORT_NAME.equals(port.getName())) {
                ports.add(new ServicePortBuilder().withName(port.getName()).withPort(port.getContainerPort())
                        .withTargetPort(new IntOrString(port.getName())).withProtocol(port.getProtocol()).build());
            }
        }
        boolean external = service.type() != SipService.ServiceType.ClusterIP;
        return new ServiceBuilder().withMetadata(meta).withNewSpec()
                .withType(service.type().name())
                .withSelector(GatewayNames.selector(gateway))
                .withPorts(ports)
                .withExternalTrafficPolicy(external ? "Local" : null)
                .withLoadBalancerIP(service.type() == SipService.ServiceType.LoadBalancer ? service.loadBalancerIP() : null)
                .endSpec().build();
    }

    /** One pod at a time may be evicted, and it drains first; never blocks a node drain outright. */
    public static PodDisruptionBudget podDisruptionBudget(SipGateway gateway) {
        return new PodDisruptionBudgetBuilder().withMetadata(meta(gateway, GatewayNames.workload(gateway), "gateway"))
                .withNewSpec().withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(GatewayNames.selector(gateway)).endSelector()
                .endSpec().build();
    }

    /** CPU, active calls per pod, or both; scale-in waits, since calls are long. */
    public static HorizontalPodAutoscaler autoscaler(SipGateway gateway) {
        Autoscaling autoscaling = gateway.getSpec().autoscaling();
        List<MetricSpec> metrics = new ArrayList<>();
        autoscaling.cpuTarget().ifPresent(cpu -> metrics.add(new MetricSpecBuilder().withType("Resource")
                .withNewResource().withName("cpu").withNewTarget().withType("Utilization").withAverageUtilization(cpu)
                .endTarget().endResource().build()));
        if (autoscaling.targetActiveCallsPerPod() != null) {
            metrics.add(new MetricSpecBuilder().withType("Pods").withNewPods().withNewMetric()
                    .withName(GatewayNames.ACTIVE_CALLS_METRIC).endMetric().withNewTarget().withType("AverageValue")
                    .withAverageValue(new Quantity(String.valueOf(autoscaling.targetActiveCallsPerPod())))
                    .endTarget().endPods().build());
        }
        return new HorizontalPodAutoscalerBuilder().withMetadata(meta(gateway, GatewayNames.workload(gateway), "gateway"))
                .withNewSpec()
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName(GatewayNames.workload(gateway)).endScaleTargetRef()
                .withMinReplicas(autoscaling.minReplicas()).withMaxReplicas(autoscaling.maxReplicas())
                .withMetrics(metrics)
                .withNewBehavior().withNewScaleDown()
                .withStabilizationWindowSeconds(autoscaling.scaleDownStabilizationSeconds()).endScaleDown().endBehavior()
                .endSpec().build();
    }

    /** Owned by the gateway as its controller, so deleting the gateway deletes it and kubectl shows who made it. */
    private static ObjectMeta meta(SipGateway gateway, String name, String component) {
        return new ObjectMetaBuilder().withName(name).withNamespace(gateway.getMetadata().getNamespace())
                .withLabels(GatewayNames.labels(gateway, component)).withAnnotations(new LinkedHashMap<>())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(gateway.getApiVersion())
                        .withKind(gateway.getKind()).withName(gateway.getMetadata().getName())
                        .withUid(gateway.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                        .build())
                .build();
    }

    private static <K, V> Map<K, V> nullToEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
