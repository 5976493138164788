package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.config.CompiledRouting;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.KubeApi;
import io.dialtone.e2e.support.Kubelet;
import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import io.dialtone.operator.DialtoneOperator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator against a real kube-apiserver and etcd: `kubectl apply` of the examples, the children and the
 * routing Secret it makes, the conditions it writes, and call counts from a gateway process that runs as a pod
 * would (the test stands in for the kubelet) and takes a sipp call into a real livekit-server.
 */
class OperatorIT {
    private static final Path DIR = Path.of("target", "operator-it").toAbsolutePath();
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static KubeApi api;
    private static KubernetesClient client;
    private static DialtoneOperator operator;
    private static LiveKitServer livekit;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        api = KubeApi.start(DIR.resolve("kube"));
        api.installCrds(Toolchain.root().resolve("crds"));
        api.startGarbageCollector(DIR.resolve("kube"));
        client = api.client();
        livekit = LiveKitServer.start(DIR.resolve("livekit"));
        operator = startOperator();
    }

    private static DialtoneOperator startOperator() {
        return startOperator(null);
    }

    private static DialtoneOperator startOperator(String leaseNamespace) {
        DialtoneOperator started = new DialtoneOperator(client, new DialtoneOperator.Settings(Set.of(),
                "dialtone/gateway:test", Duration.ofMillis(500), leaseNamespace), new SimpleMeterRegistry());
        started.start();
        return started;
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            client.close();
        }
        if (livekit != null) {
            livekit.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void theQuickstartBecomesAGatewayWithItsChildrenAndRoutingSecret() throws Exception {
        String ns = namespace("quickstart");
        api.kubectlOk(null, "apply", "--server-side", "-n", ns, "-f", Toolchain.root().resolve("examples/quickstart").toString());

        Deployment deployment = await(() -> client.apps().deployments().inNamespace(ns).withName("dialtone-gateway").get(),
                "Deployment dialtone-gateway");
        SipGateway gateway = client.resources(SipGateway.class).inNamespace(ns).withName("dialtone").get();
        assertOwnedBy(deployment, gateway);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("dialtone/gateway:test");
        assertThat(container.getArgs()).containsSubsequence("gateway", "--routing-secret", "dialtone-routing");
        assertThat(container.getArgs()).containsSubsequence("--advertise", "$(POD_IP)");
        assertThat(container.getPorts()).extracting(p -> p.getName() + "/" + p.getContainerPort() + "/" + p.getProtocol())
                .containsExactly("sip-udp/5060/UDP", "sip-tcp/5060/TCP", "admin/8080/TCP");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .as("drain.timeout, then 5 minutes for the operator to record the last counts, and margins")
                .isEqualTo(3935L);
        assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "dialtone-operator")
                .containsEntry("app.kubernetes.io/instance", "dialtone");

        for (HasMetadata child : List.<HasMetadata>of(
                await(() -> client.services().inNamespace(ns).withName("dialtone-sip").get(), "Service dialtone-sip"),
                await(() -> client.serviceAccounts().inNamespace(ns).withName("dialtone-gateway").get(), "ServiceAccount"),
                await(() -> client.rbac().roles().inNamespace(ns).withName("dialtone-gateway").get(), "Role"),
                await(() -> client.rbac().roleBindings().inNamespace(ns).withName("dialtone-gateway").get(), "RoleBinding"),
                await(() -> client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("dialtone-gateway").get(), "PDB"),
                await(() -> client.secrets().inNamespace(ns).withName("dialtone-routing").get(), "routing Secret"))) {
            assertOwnedBy(child, gateway);
        }
        var service = client.services().inNamespace(ns).withName("dialtone-sip").get();
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        var role = client.rbac().roles().inNamespace(ns).withName("dialtone-gateway").get();
        assertThat(role.getRules().get(0).getResourceNames()).containsExactly("dialtone-routing");
        assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("dialtone-gateway").get())
                .as("no autoscaler without spec.autoscaling").isNull();

        String revision = routingRevision(ns);
        var routing = CompiledRouting.load("test", java.util.Base64.getDecoder().decode(
                client.secrets().inNamespace(ns).withName("dialtone-routing").get().getData().get(CompiledRouting.KEY)));
        assertThat(routing.revision()).isEqualTo(revision);
        assertThat(routing.config().gateway().getSpec().livekit().apiKey()).isEqualTo("devkey");
        assertThat(routing.config().trunks()).extracting(t -> t.getMetadata().getName()).containsExactly("any-caller");

        awaitCondition(SipTrunk.class, ns, "any-caller", "Ready", "True", "in the routing of SipGateway dialtone");
        awaitCondition(SipTrunk.class, ns, "any-caller", "Propagated", "False", "no ready pod");
        awaitCondition(DispatchRule.class, ns, "room-per-caller", "Shadowed", "False", "");
        awaitCondition(SipGateway.class, ns, "dialtone", "Ready", "False", "no gateway pod is ready");

        api.kubectlOk(null, "patch", "siptrunk", "any-caller", "-n", ns, "--type", "merge", "-p",
                "{\"spec\":{\"ringingTimeout\":\"20s\"}}");
        Eventually.until("routing revision changes after a trunk edit", CONVERGE,
                () -> !revision.equals(routingRevision(ns)), () -> "still " + revision);

        api.kubectlOk(null, "patch", "sipgateway", "dialtone", "-n", ns, "--type", "merge", "-p",
                "{\"spec\":{\"autoscaling\":{\"maxReplicas\":4,\"targetActiveCallsPerPod\":50}}}");
        var hpa = await(() -> client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns)
                .withName("dialtone-gateway").get(), "HPA after autoscaling was set");
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(4);
        assertThat(hpa.getSpec().getMetrics()).as("calls alone: CPU only when a target is set for it")
                .extracting(m -> m.getType()).containsExactly("Pods");
        Eventually.until("Deployment leaves replicas to the autoscaler", CONVERGE, () -> client.apps().deployments()
                .inNamespace(ns).withName("dialtone-gateway").get().getMetadata().getManagedFields().stream()
                .filter(f -> "dialtone-operator".equals(f.getManager()) || f.getManager().contains("sipgateway"))
                .noneMatch(f -> String.valueOf(f.getFieldsV1().getAdditionalProperties()).contains("f:replicas")),
                () -> "managed fields: " + client.apps().deployments().inNamespace(ns).withName("dialtone-gateway").get()
                        .getMetadata().getManagedFields());
        api.kubectlOk(null, "patch", "sipgateway", "dialtone", "-n", ns, "--type", "json", "-p",
                "[{\"op\":\"remove\",\"path\":\"/spec/autoscaling\"}]");
        Eventually.until("autoscaler removed with spec.autoscaling", CONVERGE, () -> client.autoscaling().v2()
                .horizontalPodAutoscalers().inNamespace(ns).withName("dialtone-gateway").get() == null, () -> "");

        api.kubectlOk(null, "delete", "sipgateway", "dialtone", "-n", ns);
        Eventually.until("deleting the SipGateway garbage-collects its children", Duration.ofSeconds(60), () ->
                client.apps().deployments().inNamespace(ns).list().getItems().isEmpty()
                        && client.services().inNamespace(ns).list().getItems().isEmpty()
                        && client.rbac().roles().inNamespace(ns).list().getItems().isEmpty()
                        && client.rbac().roleBindings().inNamespace(ns).list().getItems().isEmpty()
                        && client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems().isEmpty()
                        && client.secrets().inNamespace(ns).withName("dialtone-routing").get() == null
                        && client.serviceAccounts().inNamespace(ns).withName("dialtone-gateway").get() == null,
                () -> kubectlGetAll(ns));
        awaitCondition(SipTrunk.class, ns, "any-caller", "Ready", "False", "SipGateway dialtone (spec.gatewayRef) does not exist");
    }

    @Test
    void conflictsMissingReferencesAndSecretRotationBecomeConditions() throws Exception {
        String ns = namespace("conditions");
        api.kubectlOk(gatewayYaml("main", "ws://127.0.0.1:7880") + """
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: first}
                spec: {gatewayRef: main, numbers: ["+15550100"]}
                """, "apply", "--server-side", "-n", ns, "-f", "-");
        awaitCondition(SipTrunk.class, ns, "first", "Ready", "True", "in the routing of SipGateway");
        api.kubectlOk("""
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: second}
                spec: {gatewayRef: main, numbers: ["+1 555 0100"]}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: elsewhere}
                spec: {gatewayRef: other, direct: {roomName: lobby}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: secured}
                spec: {gatewayRef: main, numbers: ["+15550300"], auth: {secretRef: {name: pbx-credentials}}}
                """, "apply", "--server-side", "-n", ns, "-f", "-");
        awaitCondition(SipTrunk.class, ns, "second", "Ready", "False", "SipTrunk first is older");
        awaitCondition(SipTrunk.class, ns, "second", "Conflict", "True", "first");
        awaitCondition(SipTrunk.class, ns, "first", "Ready", "True", "");
        awaitCondition(SipTrunk.class, ns, "first", "Conflict", "True", "SipTrunk second is newer and was left out");
        awaitCondition(DispatchRule.class, ns, "elsewhere", "Ready", "False", "SipGateway other (spec.gatewayRef) does not exist");
        awaitCondition(SipTrunk.class, ns, "secured", "Ready", "False", "Secret pbx-credentials does not exist");
        assertThat(compiledTrunks(ns, "main")).containsExactly("first");
        Eventually.until("kubectl describe shows the conflict as an event", CONVERGE,
                () -> events(ns, "second").contains("Conflict"), () -> events(ns, "second"));

        api.kubectlOk(gatewayYaml("other", "ws://127.0.0.1:7880"), "apply", "--server-side", "-n", ns, "-f", "-");
        awaitCondition(DispatchRule.class, ns, "elsewhere", "Ready", "True", "SipGateway other");

        api.kubectlOk(null, "create", "secret", "generic", "pbx-credentials", "-n", ns,
                "--from-literal=username=pbx", "--from-literal=password=first-password");
        // The operator watches only labelled Secrets; the trunk's status says what is missing.
        awaitCondition(SipTrunk.class, ns, "secured", "Ready", "False",
                "Secret pbx-credentials has no label dialtone.io/secret");
        api.kubectlOk(null, "label", "secret", "pbx-credentials", "-n", ns, "dialtone.io/secret=true");
        awaitCondition(SipTrunk.class, ns, "secured", "Ready", "True", "in the routing of SipGateway");
        String before = routingRevision(ns, "main");
        assertThat(compiledPassword(ns, "main", "secured")).isEqualTo("first-password");
        api.kubectlOk(null, "patch", "secret", "pbx-credentials", "-n", ns, "--type", "merge", "-p",
                "{\"stringData\":{\"password\":\"rotated\"}}");
        Eventually.until("a rotated password changes the routing revision", CONVERGE,
                () -> !before.equals(routingRevision(ns, "main")), () -> "still " + before);
        assertThat(compiledPassword(ns, "main", "secured")).isEqualTo("rotated");

        api.kubectlOk(null, "delete", "siptrunk", "first", "-n", ns);
        awaitCondition(SipTrunk.class, ns, "second", "Ready", "True", "in the routing of SipGateway");
        awaitCondition(SipTrunk.class, ns, "second", "Conflict", "False", "");
    }

    @Test
    void callsThroughAGatewayPodAreCountedOnStatusAndSurviveAnOperatorRestart() throws Exception {
        String ns = namespace("calls");
        Path quickstart = applyQuickstart(ns);
        api.kubectlOk("""
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: vip-line}
                spec: {gatewayRef: dialtone, numbers: ["+15550600"], auth: {username: pbx, password: s3cret}}
                """, "apply", "--server-side", "-n", ns, "-f", "-");
        await(() -> client.secrets().inNamespace(ns).withName("dialtone-routing").get(), "routing Secret");
        awaitCondition(SipTrunk.class, ns, "vip-line", "Ready", "True", "");

        int adminPort = Ports.free();
        Pod pod = Kubelet.runPod(client, ns, "dialtone-gateway", "dialtone-gateway-0", adminPort);
        try (GatewayProcess gateway = GatewayProcess.startAsPod(api.kubeconfig(), ns, "dialtone-routing",
                pod.getMetadata().getName(), pod.getMetadata().getUid(), adminPort, DIR.resolve("pod-" + ns),
                Kubelet.environment(client, ns, "dialtone-gateway", DIR.resolve("pod-" + ns).resolve("root")))) {
            awaitCondition(SipTrunk.class, ns, "any-caller", "Propagated", "True", "run generation 1");
            awaitCondition(SipGateway.class, ns, "dialtone", "Ready", "True", "1 pod(s) ready");
            // Propagated comes from the pod's /stats, which the operator read with the token from its Secret.
            assertThat(gateway.getWithoutToken("/stats").statusCode()).as("/stats without the token").isEqualTo(401);
            assertThat(gateway.getWithoutToken("/metrics").statusCode()).as("/metrics for Prometheus").isEqualTo(200);

            CompletableFuture<Processes.Result> running = heldCall(ns, gateway, 4000);
            Eventually.until("kubectl get siptrunks shows the call as active", CONVERGE,
                    () -> columns(ns, "any-caller").equals("1 1 0"), () -> kubectlGet(ns));
            assertThat(deletionCost(ns, pod)).as("a pod with a call costs more to delete").isEqualTo("1");
            Processes.Result result = running.get();
            assertThat(result.exitCode()).as("sipp: %s\n%s\ngateway log:\n%s", result.out(), result.err(), gateway.log())
                    .isZero();
            Eventually.until("kubectl get siptrunks shows the ended call in TOTAL only", CONVERGE,
                    () -> columns(ns, "any-caller").equals("0 1 0"), () -> kubectlGet(ns));
            Eventually.until("an idle pod is the cheapest to delete", CONVERGE,
                    () -> "0".equals(deletionCost(ns, pod)), () -> deletionCost(ns, pod));

            SippScenario refused = new SippScenario("refused-call").invite("").optional(100).expect(407)
                    .ackRejection("1").inviteWithCredentials("2", "pbx", "guess").optional(100)
                    .expect(403, "Authentication failed").ackRejection("2");
            Processes.Result rejected = Sipp.call(refused.write(DIR.resolve("sipp-" + ns)), gateway.sipPort(),
                    "+15550600", "+15550100", 15);
            assertThat(rejected.exitCode()).as(rejected.err()).isZero();
            Eventually.until("kubectl get siptrunks shows the rejection in REJECTED", CONVERGE,
                    () -> columns(ns, "vip-line").equals("0 0 1"), () -> kubectlGet(ns));
            assertThat(client.resources(SipTrunk.class).inNamespace(ns).withName("vip-line").get().getStatus().rejections())
                    .containsEntry("auth_failed", 1L);
            Eventually.until("the rejection is an event on the trunk", CONVERGE,
                    () -> events(ns, "vip-line").contains("CallsRejected"), () -> events(ns, "vip-line"));
            assertThat(events(ns, "vip-line")).contains("1 call(s) rejected so far: auth_failed 1");
            assertThat(events(ns, "any-caller")).contains("Propagated");
            assertThat(events(ns, "dialtone")).contains("Compiled");
            Eventually.until("the gateway counts both calls", CONVERGE, () -> {
                var status = client.resources(SipGateway.class).inNamespace(ns).withName("dialtone").get().getStatus();
                return status.totalCalls() == 1 && status.rejectedCalls() == 1;
            }, () -> kubectlGet(ns));
            awaitCondition(DispatchRule.class, ns, "room-per-caller", "Propagated", "True", "");
            assertThat(client.resources(DispatchRule.class).inNamespace(ns).withName("room-per-caller").get()
                    .getStatus().totalCalls()).isEqualTo(1);

            operator.close();
            operator = startOperator("default");
            Eventually.until("the restarted operator holds its leader-election Lease", CONVERGE, () -> client.leases()
                    .inNamespace("default").withName("dialtone-operator").get() != null, () -> "");
            Eventually.holds("totals after an operator restart", Duration.ofSeconds(3),
                    () -> columns(ns, "any-caller").equals("0 1 0") && columns(ns, "vip-line").equals("0 0 1"),
                    () -> kubectlGet(ns));

            SippScenario another = new SippScenario("second-call").invite("").optional(100).optional(180).expect(200)
                    .ack("1").pause(200).bye("2").expect(200);
            assertThat(Sipp.call(another.write(DIR.resolve("sipp-" + ns)), gateway.sipPort(), "+15550199",
                    "+15550100", 30).exitCode()).isZero();
            Eventually.until("a call after the restart adds to the kept total", CONVERGE,
                    () -> columns(ns, "any-caller").equals("0 2 0"), () -> kubectlGet(ns));

            String published = routingRevision(ns);
            api.kubectlOk(null, "patch", "secret", "dialtone-routing", "-n", ns, "--type", "merge", "-p",
                    "{\"data\":{\"" + CompiledRouting.KEY + "\":\"bm90IGd6aXA=\"}}");
            gateway.awaitLog("configuration change refused", CONVERGE);
            assertThat(gateway.get("/stats").body()).as("a bad document leaves the running revision")
                    .contains("\"revision\":\"" + published + "\"");
            Eventually.until("the operator restores the routing Secret someone broke", CONVERGE, () ->
                    compiled(ns, "dialtone").revision().equals(published), () -> "");

            String resourceVersion = client.resources(SipTrunk.class).inNamespace(ns).withName("any-caller").get()
                    .getMetadata().getResourceVersion();
            api.kubectlOk(null, "apply", "--server-side", "-n", ns, "-f", quickstart.toString());
            Eventually.holds("an unchanged apply and a quiet gateway write nothing", Duration.ofSeconds(3),
                    () -> client.resources(SipTrunk.class).inNamespace(ns).withName("any-caller").get()
                            .getMetadata().getResourceVersion().equals(resourceVersion), () -> kubectlGet(ns));
        }
    }

    /**
     * The guarantee docs/operator.md ("Call counts") gives: totals are every call every pod handled, whatever the
     * operator missed. Two gateway pods take calls; the operator is stopped for 60 s, during which both take more
     * and one, with a call up, is deleted (it finishes the call, then waits for the operator to record its counts);
     * then the trunk is deleted and recreated under the same name, which starts it from zero.
     */
    @Test
    void callCountsAddUpExactlyAcrossAnOperatorOutageAPodDeletionAndARecreatedTrunk() throws Exception {
        String ns = namespace("counts");
        Path quickstart = applyQuickstart(ns);
        await(() -> client.secrets().inNamespace(ns).withName("dialtone-routing").get(), "routing Secret");
        await(() -> client.apps().deployments().inNamespace(ns).withName("dialtone-gateway").get(), "Deployment");
        Pod pod0 = Kubelet.runPod(client, ns, "dialtone-gateway", "dialtone-gateway-0", Ports.free());
        Pod pod1 = Kubelet.runPod(client, ns, "dialtone-gateway", "dialtone-gateway-1", Ports.free());
        try (GatewayProcess gateway0 = startPod(ns, pod0); GatewayProcess gateway1 = startPod(ns, pod1)) {
            awaitCondition(SipGateway.class, ns, "dialtone", "Ready", "True", "2 pod(s) ready");
            long placed = calls(ns, gateway0, 2) + calls(ns, gateway1, 2);
            awaitTotals(ns, placed, placed);

            operator.close();
            long stopped = System.nanoTime();
            placed += calls(ns, gateway0, 3) + calls(ns, gateway1, 2);
            CompletableFuture<Processes.Result> heldCall = heldCall(ns, gateway1, 3000);
            Eventually.until("pod 1 has the call up", CONVERGE,
                    () -> gateway1.metric("dialtone_gateway_active_calls") == 1, () -> {
                        try {
                            return gateway1.log();
                        } catch (java.io.IOException e) {
                            return e.toString();
                        }
                    });
            api.kubectlOk(null, "delete", "pod", pod1.getMetadata().getName(), "-n", ns, "--wait=false");
            gateway1.signalTerm();
            Processes.Result heldResult = heldCall.get();
            assertThat(heldResult.exitCode()).as("the call up on the deleted pod ends with its own BYE: %s",
                    heldResult.err()).isZero();
            placed += 1;
            gateway1.awaitLog("waiting for the operator to record this pod's call counts", CONVERGE);
            Thread.sleep(Math.max(0, Duration.ofSeconds(60).toMillis()
                    - Duration.ofNanos(System.nanoTime() - stopped).toMillis()));
            assertThat(gateway1.alive()).as("the drained pod waits for the operator").isTrue();

            operator = startOperator();
            gateway1.exited().get(CONVERGE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(gateway1.log()).contains("the operator has recorded this pod's call counts")
                    .doesNotContain("exiting anyway");
            Kubelet.podStopped(client, ns, pod1.getMetadata().getName());
            awaitTotals(ns, placed, placed);

            String oldUid = client.resources(SipTrunk.class).inNamespace(ns).withName("any-caller").get()
                    .getMetadata().getUid();
            api.kubectlOk(null, "delete", "siptrunk", "any-caller", "-n", ns);
            api.kubectlOk(null, "apply", "--server-side", "-n", ns, "-f", quickstart.toString());
            String newUid = await(() -> client.resources(SipTrunk.class).inNamespace(ns).withName("any-caller").get(),
                    "the recreated trunk").getMetadata().getUid();
            assertThat(newUid).isNotEqualTo(oldUid);
            // Propagated only once the pods run a revision with the new trunk: same name and generation, not UID.
            awaitCondition(SipTrunk.class, ns, "any-caller", "Propagated", "True", "all 1 ready pod(s)");
            assertThat(compiled(ns, "dialtone").config().trunks().get(0).getMetadata().getUid()).isEqualTo(newUid);
            // The operator may publish once more after Propagated (the rule's status moves too): the pod follows.
            Eventually.until("the pod running the latest revision", CONVERGE, () -> gateway0.get("/stats").body()
                    .contains("\"revision\":\"" + routingRevision(ns) + "\""), () -> routingRevision(ns));
            long onNewTrunk = calls(ns, gateway0, 2);
            placed += onNewTrunk;
            awaitTotals(ns, placed, onNewTrunk);
            List<Long> exact = List.of(placed, placed, onNewTrunk);
            Eventually.holds("the totals stay exact", Duration.ofSeconds(3), () -> totals(ns).equals(exact),
                    () -> kubectlGet(ns));
        }
    }

    /**
     * media.externalAddress nodeExternalIP: the operator reads each pod's Node and hands its ExternalIP to the pod
     * through an annotation and a downward-API file; the pod advertises it. A node without one is named in Degraded.
     */
    @Test
    void nodeExternalIpIsLookedUpForEachPodAndAdvertised() throws Exception {
        String ns = namespace("node-address");
        applyQuickstart(ns);
        client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
                .withName(Kubelet.NODE).endMetadata().build()).createOr(existing -> existing.update());
        client.nodes().withName(Kubelet.NODE).editStatus(node -> new io.fabric8.kubernetes.api.model.NodeBuilder(node)
                .editOrNewStatus().withAddresses(new io.fabric8.kubernetes.api.model.NodeAddress("10.0.0.7", "InternalIP"),
                        new io.fabric8.kubernetes.api.model.NodeAddress("198.51.100.7", "ExternalIP")).endStatus()
                .build());
        api.kubectlOk(null, "patch", "sipgateway", "dialtone", "-n", ns, "--type", "merge", "-p",
                "{\"spec\":{\"media\":{\"externalAddress\":\"nodeExternalIP\"}}}");
        Eventually.until("the Deployment mounts the node's address and reads it", CONVERGE, () -> {
            Deployment deployment = client.apps().deployments().inNamespace(ns).withName("dialtone-gateway").get();
            return deployment != null && deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()
                    .contains("--advertise-file");
        }, () -> "");
        Pod pod = Kubelet.runPod(client, ns, "dialtone-gateway", "dialtone-gateway-0", Ports.free());
        Eventually.until("the pod is annotated with its node's ExternalIP", CONVERGE, () -> "198.51.100.7".equals(
                client.pods().inNamespace(ns).withName("dialtone-gateway-0").get().getMetadata().getAnnotations()
                        .get("dialtone.io/node-external-ip")), () -> "");
        Path dir = DIR.resolve(ns + "-pod");
        Kubelet.downwardApi(client, ns, "dialtone-gateway-0", "dialtone-gateway", dir.resolve("root"));
        try (GatewayProcess gateway = GatewayProcess.startAsPod(api.kubeconfig(), ns, "dialtone-routing",
                pod.getMetadata().getName(), pod.getMetadata().getUid(),
                pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort(), dir,
                Kubelet.environment(client, ns, "dialtone-gateway", dir.resolve("root")), "--advertise-file",
                dir.resolve("root/var/run/dialtone/node/external-ip").toString())) {
            Path scenario = new SippScenario("node-address").invite("").optional(100).optional(180)
                    .expect(200, "Contact: <sip:198\\.51\\.100\\.7:").ack("1").pause(100).bye("2").expect(200)
                    .write(DIR.resolve("sipp-" + ns));
            Processes.Result result = Sipp.call(scenario, gateway.sipPort(), "+15550199", "+15550100", 30);
            assertThat(result.exitCode()).as("sipp: %s\n%s\ngateway log:\n%s", result.err(), Sipp.messages(scenario),
                    gateway.log()).isZero();
            assertThat(Sipp.messages(scenario)).contains("c=IN IP4 198.51.100.7");
        }

        client.nodes().withName(Kubelet.NODE).editStatus(node -> new io.fabric8.kubernetes.api.model.NodeBuilder(node)
                .editStatus().withAddresses(new io.fabric8.kubernetes.api.model.NodeAddress("10.0.0.7", "InternalIP"))
                .endStatus().build());
        Kubelet.runPod(client, ns, "dialtone-gateway", "dialtone-gateway-1", Ports.free());
        Eventually.until("a node without an ExternalIP is named", CONVERGE, () -> {
            var status = client.resources(SipGateway.class).inNamespace(ns).withName("dialtone").get().getStatus();
            return status != null && status.conditions().stream().anyMatch(c -> "Degraded".equals(c.getType())
                    && "NoNodeAddress".equals(c.getReason()) && c.getMessage().contains("node " + Kubelet.NODE
                    + " of pod dialtone-gateway-1 has no ExternalIP"));
        }, () -> kubectlGet(ns));
    }

    /** A pod whose SipGateway was deleted does not wait 5 minutes for counts nobody will record. */
    @Test
    void aPodOfADeletedGatewayExitsWithoutWaitingForItsCounts() throws Exception {
        String ns = namespace("gone");
        applyQuickstart(ns);
        await(() -> client.secrets().inNamespace(ns).withName("dialtone-routing").get(), "routing Secret");
        await(() -> client.apps().deployments().inNamespace(ns).withName("dialtone-gateway").get(), "Deployment");
        Pod pod = Kubelet.runPod(client, ns, "dialtone-gateway", "dialtone-gateway-0", Ports.free());
        try (GatewayProcess gateway = startPod(ns, pod)) {
            awaitCondition(SipGateway.class, ns, "dialtone", "Ready", "True", "1 pod(s) ready");
            calls(ns, gateway, 1);
            api.kubectlOk(null, "delete", "sipgateway", "dialtone", "-n", ns, "--wait=false");
            Eventually.until("garbage collection takes the routing Secret", CONVERGE,
                    () -> client.secrets().inNamespace(ns).withName("dialtone-routing").get() == null, () -> "");
            gateway.awaitLog("routing Secret " + ns + "/dialtone-routing was deleted", CONVERGE);
            gateway.signalTerm();
            gateway.exited().get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(gateway.log()).contains("this pod's SipGateway is gone");
        }
    }

    private static GatewayProcess startPod(String ns, Pod pod) throws Exception {
        int adminPort = pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
        Path dir = DIR.resolve(ns + "-" + pod.getMetadata().getName());
        List<String> args = client.apps().deployments().inNamespace(ns).withName("dialtone-gateway").get().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getArgs();
        String awaitRecorded = args.get(args.indexOf("--await-counts-recorded") + 1);
        return GatewayProcess.startAsPod(api.kubeconfig(), ns, "dialtone-routing", pod.getMetadata().getName(),
                pod.getMetadata().getUid(), adminPort, dir,
                Kubelet.environment(client, ns, "dialtone-gateway", dir.resolve("root")),
                "--await-counts-recorded", awaitRecorded);
    }

    /** A call through {@code gateway} that stays up {@code millis} before the caller hangs up, run in the background. */
    private static CompletableFuture<Processes.Result> heldCall(String ns, GatewayProcess gateway, int millis)
            throws Exception {
        Path scenario = new SippScenario("held-call").invite("").optional(100).optional(180).expect(200)
                .ack("1").pause(millis).bye("2").expect(200).write(DIR.resolve("sipp-" + ns));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Sipp.call(scenario, gateway.sipPort(), "+15550199", "+15550100", 30);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Places {@code count} short calls through {@code gateway}, each answered and ended by the caller. */
    private static long calls(String ns, GatewayProcess gateway, int count) throws Exception {
        SippScenario call = new SippScenario("short-call").invite("").optional(100).optional(180).expect(200)
                .ack("1").pause(100).bye("2").expect(200);
        Path scenario = call.write(DIR.resolve("sipp-" + ns));
        for (int i = 0; i < count; i++) {
            Processes.Result result = Sipp.call(scenario, gateway.sipPort(), "+15550199", "+15550100", 30);
            assertThat(result.exitCode()).as("sipp: %s\ngateway log:\n%s", result.err(), gateway.log()).isZero();
        }
        return count;
    }

    /** The SipGateway's, the rule's and the trunk's totalCalls. */
    private static List<Long> totals(String ns) {
        return List.of(client.resources(SipGateway.class).inNamespace(ns).withName("dialtone").get().getStatus()
                        .totalCalls(),
                client.resources(DispatchRule.class).inNamespace(ns).withName("room-per-caller").get().getStatus()
                        .totalCalls(),
                Optional.ofNullable(client.resources(SipTrunk.class).inNamespace(ns).withName("any-caller").get()
                        .getStatus()).map(status -> status.totalCalls()).orElse(-1L));
    }

    private static void awaitTotals(String ns, long all, long onTrunk) {
        Eventually.until("gateway, rule and trunk totals " + all + ", " + all + ", " + onTrunk, CONVERGE,
                () -> totals(ns).equals(List.of(all, all, onTrunk)), () -> totals(ns) + "\n" + kubectlGet(ns));
    }

    /** examples/quickstart pointed at this test's LiveKit, applied as a user would. */
    private static Path applyQuickstart(String ns) throws Exception {
        Path quickstart = DIR.resolve("quickstart-" + ns);
        Files.createDirectories(quickstart);
        try (var files = Files.list(Toolchain.root().resolve("examples/quickstart"))) {
            for (Path file : files.toList()) {
                Files.writeString(quickstart.resolve(file.getFileName()), Files.readString(file)
                        .replace("http://127.0.0.1:7880", livekit.httpUrl().replace("http://", "ws://")));
            }
        }
        api.kubectlOk(null, "apply", "--server-side", "-n", ns, "-f", quickstart.toString());
        return quickstart;
    }

    private static String deletionCost(String ns, Pod pod) {
        var annotations = client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get()
                .getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get("controller.kubernetes.io/pod-deletion-cost");
    }

    private static String columns(String ns, String trunk) throws Exception {
        String out = api.kubectlOk(null, "get", "siptrunk", trunk, "-n", ns, "--no-headers", "-o",
                "custom-columns=A:.status.activeCalls,T:.status.totalCalls,R:.status.rejectedCalls");
        return out.trim().replaceAll("\\s+", " ");
    }

    private static String kubectlGetAll(String ns) {
        try {
            return api.kubectlOk(null, "get", "deploy,svc,sa,role,rolebinding,pdb,secret", "-n", ns);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String kubectlGet(String ns) {
        try {
            return api.kubectlOk(null, "get", "sip", "-n", ns);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String events(String ns, String name) {
        try {
            return api.kubectlOk(null, "get", "events", "-n", ns, "--field-selector", "involvedObject.name=" + name,
                    "-o", "custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String gatewayYaml(String name, String url) {
        return """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: %s}
                spec: {livekit: {url: "%s", apiKey: devkey, apiSecret: secret}}
                ---
                """.formatted(name, url);
    }

    private static String namespace(String name) throws Exception {
        api.kubectlOk(null, "create", "namespace", name);
        return name;
    }

    private static String routingRevision(String ns) {
        return routingRevision(ns, "dialtone");
    }

    private static String routingRevision(String ns, String gateway) {
        Secret secret = client.secrets().inNamespace(ns).withName(gateway + "-routing").get();
        return secret == null ? null : secret.getMetadata().getAnnotations().get(CompiledRouting.REVISION_ANNOTATION);
    }

    private static List<String> compiledTrunks(String ns, String gateway) throws Exception {
        return compiled(ns, gateway).config().trunks().stream().map(t -> t.getMetadata().getName()).toList();
    }

    private static String compiledPassword(String ns, String gateway, String trunk) throws Exception {
        return compiled(ns, gateway).config().trunks().stream().filter(t -> t.getMetadata().getName().equals(trunk))
                .findFirst().orElseThrow().getSpec().auth().password();
    }

    private static io.dialtone.config.LoadedConfig compiled(String ns, String gateway) throws Exception {
        Secret secret = client.secrets().inNamespace(ns).withName(gateway + "-routing").get();
        return CompiledRouting.load("test", java.util.Base64.getDecoder().decode(secret.getData().get(CompiledRouting.KEY)));
    }

    private static <T> T await(Supplier<T> probe, String what) {
        return Eventually.value(what + " exists", CONVERGE, () -> Optional.ofNullable(probe.get()), () -> "");
    }

    private static void assertOwnedBy(HasMetadata child, SipGateway gateway) {
        assertThat(child.getMetadata().getOwnerReferences()).as(child.getKind() + " owner")
                .extracting(OwnerReference::getUid, OwnerReference::getController)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(gateway.getMetadata().getUid(), true));
    }

    private static <T extends HasMetadata> void awaitCondition(Class<T> type, String ns, String name, String condition,
                                                               String status, String messagePart) {
        Supplier<List<Condition>> conditions = () -> {
            T resource = client.resources(type).inNamespace(ns).withName(name).get();
            Object s = resource == null ? null : ((io.fabric8.kubernetes.client.CustomResource<?, ?>) resource).getStatus();
            if (s instanceof io.dialtone.api.v1alpha1.SipTrunkStatus t) {
                return t.conditions();
            } else if (s instanceof io.dialtone.api.v1alpha1.DispatchRuleStatus r) {
                return r.conditions();
            } else if (s instanceof io.dialtone.api.v1alpha1.SipGatewayStatus g) {
                return g.conditions();
            }
            return null;
        };
        Eventually.until(type.getSimpleName() + " " + name + " " + condition + "=" + status + " with '" + messagePart + "'",
                CONVERGE, () -> {
                    List<Condition> list = conditions.get();
                    return list != null && list.stream().anyMatch(c -> condition.equals(c.getType())
                            && status.equals(c.getStatus()) && c.getMessage().contains(messagePart));
                }, () -> String.valueOf(conditions.get()));
    }

}
