package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.KubeApi;
import io.dialtone.e2e.support.Kubelet;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Toolchain;
import io.dialtone.operator.DialtoneOperator;
import io.dialtone.operator.calls.CallLedger;
import io.dialtone.operator.calls.LedgerNames;
import io.dialtone.stats.StatsDocument.Counters;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each reconciler on its own against a real kube-apiserver, in seconds, with no gateway process: the call ledger
 * is what connects them, so the tests write or read it where a pod's /stats would otherwise be.
 */
class ReconcilersIT {
    private static final Path DIR = Path.of("target", "reconcilers-it").toAbsolutePath();
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final Instant STARTED = Instant.parse("2026-12-01T10:00:00Z");
    private static KubeApi api;
    private static KubernetesClient client;
    private static DialtoneOperator operator;

    @BeforeAll
    static void start() throws Exception {
        api = KubeApi.start(DIR.resolve("kube"));
        api.installCrds(Toolchain.root().resolve("crds"));
        client = api.client();
        operator = new DialtoneOperator(client, new DialtoneOperator.Settings(Set.of(), "dialtone/gateway:test",
                Duration.ofMillis(300), null), new SimpleMeterRegistry());
        operator.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static String namespace(String name) throws Exception {
        api.kubectlOk(null, "create", "namespace", name);
        api.kubectlOk("""
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: edge}
                spec: {livekit: {url: "ws://127.0.0.1:7880", apiKey: devkey, apiSecret: secret}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                spec: {numbers: ["+15550100"], allowedAddresses: ["127.0.0.1"]}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: rooms}
                spec: {individual: {roomPrefix: call-}}
                """, "apply", "--server-side", "-n", name, "-f", "-");
        return name;
    }

    /** What a pod process of {@code pod} reported: {@code total} calls on the trunk and rule, {@code active} up. */
    private static CallLedger.PodRecord pod(String name, String trunkUid, String ruleUid, long active, long total) {
        Counters counters = new Counters("", active, total, 1, Map.of("no_rule", 1L), STARTED);
        return new CallLedger.PodRecord(name, STARTED, total + 1, "rev", false, new CallLedger.Tally(counters,
                Map.of(trunkUid, new Counters("carrier", active, total, 1, Map.of("no_rule", 1L), STARTED)),
                Map.of(ruleUid, new Counters("rooms", active, total, 0, Map.of(), STARTED))));
    }

    private static String uid(Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> type, String ns, String name) {
        return Eventually.value(name + " exists", CONVERGE, () -> java.util.Optional.ofNullable(
                client.resources(type).inNamespace(ns).withName(name).get()), () -> "").getMetadata().getUid();
    }

    @Test
    void trunkAndRuleReconcilersShowTheirCountsFromTheLedgerByUid() throws Exception {
        String ns = namespace("ledger-read");
        String trunk = uid(SipTrunk.class, ns, "carrier");
        String rule = uid(DispatchRule.class, ns, "rooms");
        Eventually.until("the gateway's Deployment", CONVERGE,
                () -> client.apps().deployments().inNamespace(ns).withName("edge-gateway").get() != null, () -> "");
        // A pod that exists (the ledger keeps its record) but never answers /stats, and one that is gone.
        Pod live = Kubelet.runPod(client, ns, "edge-gateway", "edge-gateway-0", Ports.free());
        CallLedger ledger = new CallLedger(Map.of(live.getMetadata().getUid(), pod("edge-gateway-0", trunk, rule, 2, 5),
                "gone-pod", pod("edge-gateway-9", trunk, rule, 1, 3)), CallLedger.Tally.ZERO, Map.of());
        // The operator may have recorded the new pod's readiness in a ledger of its own already; this one replaces it.
        client.resource(new ConfigMapBuilder().withNewMetadata().withName(LedgerNames.configMap("edge"))
                .withNamespace(ns).addToLabels(LedgerNames.LABEL, "edge").endMetadata()
                .withData(Map.of(LedgerNames.DATA_KEY, LedgerNames.json(ledger))).build())
                .createOr(NonDeletingOperation::update);

        Eventually.until("the trunk shows 2 active of 8, the gone pod's call no longer active", CONVERGE, () -> {
            var status = client.resources(SipTrunk.class).inNamespace(ns).withName("carrier").get().getStatus();
            return status != null && status.activeCalls() == 2 && status.totalCalls() == 8
                    && status.rejectedCalls() == 2 && status.rejections().equals(Map.of("no_rule", 2L));
        }, () -> String.valueOf(client.resources(SipTrunk.class).inNamespace(ns).withName("carrier").get().getStatus()));
        Eventually.until("the rule and the gateway show the same totals", CONVERGE, () -> {
            var ruleStatus = client.resources(DispatchRule.class).inNamespace(ns).withName("rooms").get().getStatus();
            var gateway = client.resources(SipGateway.class).inNamespace(ns).withName("edge").get().getStatus();
            return ruleStatus != null && ruleStatus.totalCalls() == 8 && ruleStatus.activeCalls() == 2
                    && gateway != null && gateway.totalCalls() == 8 && gateway.rejectedCalls() == 2;
        }, () -> String.valueOf(client.resources(SipGateway.class).inNamespace(ns).withName("edge").get().getStatus()));
        CallLedger rewritten = LedgerNames.read(client.configMaps().inNamespace(ns)
                .withName(LedgerNames.configMap("edge")).get());
        assertThat(rewritten.pods()).as("the gone pod's process is retired, once").containsOnlyKeys(
                live.getMetadata().getUid());
        assertThat(rewritten.retired().trunks().get(trunk).total()).isEqualTo(3);

        api.kubectlOk(null, "delete", "siptrunk", "carrier", "-n", ns);
        api.kubectlOk("""
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                spec: {numbers: ["+15550100"], allowedAddresses: ["127.0.0.1"]}
                """, "apply", "--server-side", "-n", ns, "-f", "-");
        Eventually.until("a trunk recreated under the same name starts from zero", CONVERGE, () -> {
            var status = client.resources(SipTrunk.class).inNamespace(ns).withName("carrier").get().getStatus();
            return status != null && status.totalCalls() == 0 && status.activeCalls() == 0;
        }, () -> String.valueOf(client.resources(SipTrunk.class).inNamespace(ns).withName("carrier").get().getStatus()));
        Eventually.until("the deleted trunk's retired counts are forgotten", CONVERGE, () -> !LedgerNames.read(
                client.configMaps().inNamespace(ns).withName(LedgerNames.configMap("edge")).get()).retired().trunks()
                .containsKey(trunk), () -> "");
    }

    @Test
    void theGatewayReconcilerKeepsItsLedgerInAConfigMapItOwns() throws Exception {
        String ns = namespace("ledger-write");
        Eventually.until("the gateway's Deployment", CONVERGE,
                () -> client.apps().deployments().inNamespace(ns).withName("edge-gateway").get() != null, () -> "");
        Pod pod = Kubelet.runPod(client, ns, "edge-gateway", "edge-gateway-0", Ports.free());
        ConfigMap ledger = Eventually.value("the ledger ConfigMap", CONVERGE, () -> java.util.Optional.ofNullable(
                client.configMaps().inNamespace(ns).withName(LedgerNames.configMap("edge")).get()), () -> "");
        assertThat(ledger.getMetadata().getOwnerReferences()).extracting(o -> o.getKind() + "/" + o.getName())
                .containsExactly("SipGateway/edge");
        assertThat(LedgerNames.read(ledger).readyPods()).as("a ready pod that has not answered /stats yet")
                .containsExactly(Map.entry(pod.getMetadata().getUid(), "edge-gateway-0"));
        Eventually.until("the gateway says which pod it waits for", CONVERGE, () -> {
            var status = client.resources(SipGateway.class).inNamespace(ns).withName("edge").get().getStatus();
            return status != null && status.conditions().stream().anyMatch(c -> "Progressing".equals(c.getType())
                    && c.getMessage().contains("waiting for edge-gateway-0"));
        }, () -> String.valueOf(client.resources(SipGateway.class).inNamespace(ns).withName("edge").get().getStatus()));
    }
}
