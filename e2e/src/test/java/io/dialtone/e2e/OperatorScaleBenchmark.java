package io.dialtone.e2e;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.config.CompiledRouting;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.KubeApi;
import io.dialtone.e2e.support.Kubelet;
import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Toolchain;
import io.dialtone.operator.DialtoneOperator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Not part of the test suite (its name does not end in IT): bench/operator.sh runs it. Measures, on a real
 * kube-apiserver with the operator and one gateway process standing in for a pod, how long N trunks and N rules
 * take from `kubectl apply` to Propagated=True on all of them, and how long one edit takes to be live on the
 * gateway. Prints the figures; fails only if something never converges.
 */
class OperatorScaleBenchmark {
    private static final Path DIR = Path.of("target", "operator-bench").toAbsolutePath();
    private static final int N = Integer.getInteger("dialtone.bench.resources", 1000);

    @Test
    void applyToPropagated() throws Exception {
        Files.createDirectories(DIR);
        try (KubeApi api = KubeApi.start(DIR.resolve("kube"));
             LiveKitServer livekit = LiveKitServer.start(DIR.resolve("livekit"))) {
            api.installCrds(Toolchain.root().resolve("crds"));
            api.kubectlOk(null, "create", "namespace", "bench");
            api.kubectlOk(null, "create", "namespace", "baseline");
            Path file = DIR.resolve("resources.yaml");
            Files.writeString(file, resources());
            long baselineStart = System.nanoTime();
            apply(api, "baseline", file);
            double baseline = seconds(System.nanoTime() - baselineStart);
            System.out.printf("BENCH operator: kubectl apply of %d trunks + %d rules with no operator running: %.2f s%n",
                    N, N, baseline);
            api.kubectlOk(null, "delete", "namespace", "baseline", "--wait=false");
            KubernetesClient client = api.client();
            try (DialtoneOperator operator = new DialtoneOperator(client, new DialtoneOperator.Settings(Set.of(),
                    "dialtone/gateway:bench", Duration.ofSeconds(1), null), new SimpleMeterRegistry())) {
                operator.start();
                api.kubectlOk("""
                        apiVersion: dialtone.io/v1alpha1
                        kind: SipGateway
                        metadata: {name: bench}
                        spec: {livekit: {url: "%s", apiKey: devkey, apiSecret: secret}}
                        """.formatted(livekit.httpUrl().replace("http://", "ws://")), "apply", "--server-side", "-n", "bench", "-f", "-");
                Eventually.until("routing Secret", Duration.ofSeconds(60),
                        () -> client.secrets().inNamespace("bench").withName("bench-routing").get() != null, () -> "");
                int adminPort = Ports.free();
                Eventually.until("Deployment", Duration.ofSeconds(60), () -> client.apps().deployments()
                        .inNamespace("bench").withName("bench-gateway").get() != null, () -> "");
                Pod pod = Kubelet.runPod(client, "bench", "bench-gateway", "bench-gateway-0", adminPort);
                try (GatewayProcess gateway = GatewayProcess.startAsPod(api.kubeconfig(), "bench", "bench-routing",
                        pod.getMetadata().getName(), pod.getMetadata().getUid(), adminPort, DIR.resolve("gateway"),
                Kubelet.environment(client, "bench", "bench-gateway", DIR.resolve("gateway").resolve("root")))) {
                    long start = System.nanoTime();
                    apply(api, "bench", file);
                    long applied = System.nanoTime();
                    Eventually.until(N + " trunks and " + N + " rules Propagated=True", Duration.ofMinutes(5),
                            () -> allPropagated(client), () -> "");
                    long propagated = System.nanoTime();
                    System.out.printf("BENCH operator: %d trunks + %d rules: kubectl apply took %.2f s; all "
                                    + "Propagated=True %.2f s after kubectl returned, %.2f s after it started%n", N, N,
                            seconds(applied - start), seconds(propagated - applied), seconds(propagated - start));

                    long editStart = System.nanoTime();
                    api.kubectlOk(null, "patch", "siptrunk", "t-7", "-n", "bench", "--type", "merge", "-p",
                            "{\"spec\":{\"ringingTimeout\":\"17s\"}}");
                    Eventually.until("the edit is live on the gateway", Duration.ofSeconds(60), () -> {
                        var secret = client.secrets().inNamespace("bench").withName("bench-routing").get();
                        String revision = secret.getMetadata().getAnnotations().get(CompiledRouting.REVISION_ANNOTATION);
                        return gateway.get("/stats").body().contains("\"revision\":\"" + revision + "\"")
                                && CompiledRouting.load("check", java.util.Base64.getDecoder().decode(
                                secret.getData().get(CompiledRouting.KEY))).config().trunks().stream()
                                .anyMatch(t -> "17s".equals(t.getSpec().ringingTimeout()));
                    }, () -> "");
                    long live = System.nanoTime();
                    Eventually.until("the edited trunk is Propagated=True", Duration.ofSeconds(60), () -> {
                        SipTrunk trunk = client.resources(SipTrunk.class).inNamespace("bench").withName("t-7").get();
                        return trunk.getStatus() != null && trunk.getStatus().observedGeneration() == 2
                                && propagated(trunk.getStatus().conditions());
                    }, () -> "");
                    long edited = System.nanoTime();
                    System.out.printf("BENCH operator: one trunk edit with %d trunks + %d rules: apply -> live on the "
                            + "gateway %.2f s, -> Propagated=True %.2f s%n", N, N, seconds(live - editStart),
                            seconds(edited - editStart));
                }
            } finally {
                client.close();
            }
        }
    }

    private static String resources() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < N; i++) {
            yaml.append("""
                    ---
                    apiVersion: dialtone.io/v1alpha1
                    kind: SipTrunk
                    metadata: {name: t-%1$d}
                    spec: {numbers: ["+1555%2$07d"], allowedAddresses: [10.0.0.0/8]}
                    ---
                    apiVersion: dialtone.io/v1alpha1
                    kind: DispatchRule
                    metadata: {name: r-%1$d}
                    spec: {trunkRefs: [t-%1$d], direct: {roomName: room-%1$d}}
                    """.formatted(i, i));
        }
        return yaml.toString();
    }

    private static void apply(KubeApi api, String namespace, Path file) throws Exception {
        KubeApi.Result apply = api.kubectl(null, 600, "apply", "--server-side", "-n", namespace, "-f", file.toString());
        if (apply.exitCode() != 0) {
            throw new AssertionError("kubectl apply failed: " + apply.err());
        }
    }

    private static boolean allPropagated(KubernetesClient client) {
        List<SipTrunk> trunks = client.resources(SipTrunk.class).inNamespace("bench").list().getItems();
        List<DispatchRule> rules = client.resources(DispatchRule.class).inNamespace("bench").list().getItems();
        return trunks.size() == N && rules.size() == N
                && trunks.stream().allMatch(t -> t.getStatus() != null && propagated(t.getStatus().conditions()))
                && rules.stream().allMatch(r -> r.getStatus() != null && propagated(r.getStatus().conditions()));
    }

    private static boolean propagated(List<Condition> conditions) {
        return conditions != null && conditions.stream()
                .anyMatch(c -> "Propagated".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
