package io.dialtone.operator.gateway;

import static io.dialtone.operator.Resources.gateway;
import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.SipGateway;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

class GatewayResourcesTest {
    private static final String LIVEKIT = "livekit: {url: 'wss://lk.example.com', credentialsSecret: {name: lk}}";

    private static Deployment deployment(String spec) {
        return GatewayResources.deployment(gateway("edge", "{" + LIVEKIT + (spec.isEmpty() ? "" : ", " + spec) + "}"),
                "dialtone/gateway:1");
    }

    private static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void aPlainGatewayRunsOnePodThatReadsItsRoutingSecretAndAdvertisesItsOwnAddress() {
        Deployment deployment = deployment("");
        assertThat(deployment.getMetadata().getName()).isEqualTo("edge-gateway");
        assertThat(deployment.getMetadata().getNamespace()).isEqualTo("tests");
        assertThat(deployment.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getController()).isTrue());
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        Container container = container(deployment);
        assertThat(container.getImage()).isEqualTo("dialtone/gateway:1");
        assertThat(container.getArgs()).containsExactly("gateway", "--routing-secret", "edge-routing",
                "--admin-port", "8080", "--await-counts-recorded", "5m", "--advertise", "$(POD_IP)", "--bridge-audio",
                "--room-codec", "auto", "--peers-from-service", "edge-sip");
        assertThat(container.getEnv()).extracting(e -> e.getName() + "=" + (e.getValueFrom() != null
                        ? e.getValueFrom().getFieldRef().getFieldPath() : e.getValue()))
                .contains("POD_UID=metadata.uid", "POD_IP=status.podIP", "POD_NAMESPACE=metadata.namespace",
                        "DIALTONE_STATS_TOKEN_FILE=/var/run/dialtone/stats-token/token");
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null)
                .anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("edge-stats-token"));
        Secret token = GatewayResources.statsTokenSecret(gateway("edge", "{" + LIVEKIT + "}"));
        assertThat(token.getMetadata().getName()).isEqualTo("edge-stats-token");
        assertThat(new String(java.util.Base64.getDecoder().decode(token.getData().get("token")))).as("256 random bits")
                .matches("[0-9a-f]{64}");
        assertThat(token.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getName()).isEqualTo("edge"));
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("pre-stop pause, drain.timeout 1h, the wait for the last counts to be recorded, the shutdown margin")
                .isEqualTo(GatewayResources.PRE_STOP_SECONDS + 3600 + 300 + GatewayResources.SHUTDOWN_MARGIN_SECONDS);
        assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .containsOnlyKeys("app.kubernetes.io/name", "app.kubernetes.io/instance");
    }

    @Test
    void withAutoscalingTheDeploymentLeavesReplicasToTheAutoscaler() {
        SipGateway gateway = gateway("edge", "{" + LIVEKIT + ", replicas: 3, autoscaling: {maxReplicas: 6, "
                + "targetActiveCallsPerPod: 80}}");
        assertThat(GatewayResources.deployment(gateway, "i").getSpec().getReplicas()).isNull();
        var hpa = GatewayResources.autoscaler(gateway);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("edge-gateway");
        assertThat(hpa.getSpec().getMetrics()).as("calls alone: CPU only when asked for").hasSize(1);
        assertThat(hpa.getSpec().getMetrics().get(0).getPods().getMetric().getName())
                .isEqualTo("dialtone_gateway_active_calls");
        assertThat(hpa.getSpec().getMetrics().get(0).getPods().getTarget().getAverageValue().getAmount()).isEqualTo("80");
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(600);
    }

    @Test
    void theAutoscalerScalesOnCpuByDefaultOnBothWhenBothAreSetAndScalesInAfterTheWindowAskedFor() {
        var cpuOnly = GatewayResources.autoscaler(gateway("edge", "{" + LIVEKIT + ", autoscaling: {maxReplicas: 4}}"));
        assertThat(cpuOnly.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(70));
        var both = GatewayResources.autoscaler(gateway("edge", "{" + LIVEKIT + ", autoscaling: {maxReplicas: 4, "
                + "targetCPUUtilizationPercentage: 60, targetActiveCallsPerPod: 50, scaleDownStabilizationSeconds: 30}}"));
        assertThat(both.getSpec().getMetrics()).extracting(m -> m.getType()).containsExactly("Resource", "Pods");
        assertThat(both.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(60);
        assertThat(both.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(30);
    }

    @Test
    void hostNetworkPodsSpreadOnePerNode() {
        var pod = deployment("hostNetwork: true").getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .singleElement().satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    }

    @Test
    void aTlsSecretIsMountedWhereTheCompiledRoutingPointsAndItsPortIsOpen() {
        Deployment deployment = deployment("sip: {port: 5080, transports: [tcp, tls], tls: {port: 5081, secretName: cert}}");
        assertThat(container(deployment).getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("sip-tcp:5080", "sip-tls:5081", "admin:8080");
        assertThat(container(deployment).getVolumeMounts()).extracting(m -> m.getMountPath())
                .containsExactly("/tmp", "/etc/dialtone/tls", "/var/run/dialtone/stats-token");
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes().get(1).getSecret().getSecretName())
                .isEqualTo("cert");
    }

    @Test
    void bridgingAudioIsAnArgumentSoTurningItOffOrOnRollsThePods() {
        assertThat(container(deployment("media: {}")).getArgs()).as("on by default").contains("--bridge-audio");
        assertThat(container(deployment("media: {bridgeAudio: true}")).getArgs()).contains("--bridge-audio");
        assertThat(container(deployment("media: {bridgeAudio: false}")).getArgs()).contains("--no-bridge-audio")
                .doesNotContain("--bridge-audio").doesNotContain("--room-codec");
    }

    @Test
    void theRoomCodecReachesBridgingPods() {
        assertThat(container(deployment("media: {bridgeAudio: true}")).getArgs())
                .containsSequence("--room-codec", "auto");
        assertThat(container(deployment("media: {bridgeAudio: true, roomCodec: opus}")).getArgs())
                .containsSequence("--room-codec", "opus");
    }

    @Test
    void aLiteralExternalAddressIsNotOverriddenByThePodAddress() {
        assertThat(container(deployment("media: {externalAddress: 203.0.113.7}")).getArgs()).doesNotContain("--advertise");
    }

    @Test
    void nodeExternalIpReachesThePodAsAFileFromItsOwnAnnotation() {
        Deployment deployment = deployment("media: {externalAddress: nodeExternalIP}");
        assertThat(container(deployment).getArgs()).doesNotContain("--advertise")
                .containsSubsequence("--advertise-file", "/var/run/dialtone/node/external-ip");
        var volume = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("node-address")).findFirst().orElseThrow();
        assertThat(volume.getDownwardAPI().getItems().get(0).getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['dialtone.io/node-external-ip']");
        assertThat(container(deployment).getVolumeMounts()).anyMatch(m -> m.getName().equals("node-address")
                && m.getMountPath().equals("/var/run/dialtone/node") && m.getReadOnly());
    }

    @Test
    void podTemplateOverridesReachThePods() {
        var template = deployment("podTemplate: {labels: {team: voice}, annotations: {a: b, prometheus.io/scrape: "
                + "'false'}, nodeSelector: {pool: sip}, priorityClassName: high}").getSpec().getTemplate();
        assertThat(template.getMetadata().getLabels()).containsEntry("team", "voice")
                .containsEntry("app.kubernetes.io/instance", "edge");
        assertThat(template.getMetadata().getAnnotations()).containsEntry("a", "b")
                .containsEntry("prometheus.io/scrape", "false").containsEntry("prometheus.io/port", "8080");
        assertThat(template.getSpec().getNodeSelector()).containsEntry("pool", "sip");
        assertThat(template.getSpec().getPriorityClassName()).isEqualTo("high");
    }

    @Test
    void theServiceKeepsCallerAddressesAndCarriesOnlySipPorts() {
        var service = GatewayResources.service(gateway("edge", "{" + LIVEKIT + ", service: {type: NodePort, "
                + "annotations: {lb: internal}}}"));
        assertThat(service.getMetadata().getName()).isEqualTo("edge-sip");
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        assertThat(service.getMetadata().getAnnotations()).containsEntry("lb", "internal");
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getProtocol())
                .containsExactly("sip-udp:UDP", "sip-tcp:TCP");
        var clusterIp = GatewayResources.service(gateway("edge", "{" + LIVEKIT + ", service: {type: ClusterIP}}"));
        assertThat(clusterIp.getSpec().getExternalTrafficPolicy()).isNull();
    }

    @Test
    void theGatewayMayReadOnlyItsOwnRoutingSecretAndEndpointSlices() {
        var role = GatewayResources.role(gateway("edge", "{" + LIVEKIT + "}"));
        assertThat(role.getRules()).hasSize(2);
        assertThat(role.getRules().get(0).getResources()).containsExactly("secrets");
        assertThat(role.getRules().get(0).getResourceNames()).containsExactly("edge-routing");
        assertThat(role.getRules().get(0).getVerbs()).containsExactly("get", "list", "watch");
        assertThat(role.getRules().get(1).getResources()).containsExactly("endpointslices");
        var binding = GatewayResources.roleBinding(gateway("edge", "{" + LIVEKIT + "}"));
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("edge-gateway"));
    }

    @Test
    void theDisruptionBudgetLetsOnePodDrainAtATime() {
        var pdb = GatewayResources.podDisruptionBudget(gateway("edge", "{" + LIVEKIT + "}"));
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", "edge");
    }
}
