package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.Closer;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.GitRepository;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.OneNodeCluster;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Argo CD (scripts/argocd.sh: its application controller and repo server, built from its Go module) syncs Dialtone
 * into the real one-node cluster from a Git repository served on loopback, through the two Applications of
 * examples/argocd/ with only their repository, revision and image changed: the chart, then a telephony configuration
 * whose LiveKit Secret comes from outside Git, as docs/gitops.md recommends. Argo CD judges the health of Dialtone's
 * resources with examples/argocd/argocd-cm-health.yaml; calls go through the gateway Service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArgoCdIT {
    private static final Path DIR = Path.of("target", "argocd-it").toAbsolutePath();
    private static final String TAG = "argocd-test";
    private static final String OUTSIDE = "10.88.0.201";
    private static final String NODE = "10.88.0.1";
    private static final String CONFIG = "telephony";
    private static final String CHART_APP = "dialtone";
    private static final Path ARGOCD_STATE = DIR.resolve("argocd");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static OneNodeCluster cluster;
    private static NetworkNamespace outside;
    private static GitRepository git;
    private static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        NetworkNamespace.assumeAvailable("ArgoCdIT");
        cluster = OneNodeCluster.up(DIR, TAG, "dialtone-system", CONFIG);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(cluster.kubeconfig()))).build();
        outside = NetworkNamespace.onBridge("dtca" + ProcessHandle.current().pid() % 100000, "dtk0", OUTSIDE, NODE);
        BridgedGateway.startLiveKit(outside, DIR, OUTSIDE);
        Eventually.until("LiveKit answering", Duration.ofSeconds(60),
                () -> BridgedGateway.answers(outside, DIR, "http://" + OUTSIDE + ":7880/"),
                () -> BridgedGateway.read(DIR.resolve("livekit-server.log")));

        git = GitRepository.serve(DIR.resolve("git"));
        Files.createDirectories(git.workTree().resolve("charts"));
        cluster.run(30, "cp", "-r", Toolchain.root().resolve("charts/dialtone").toString(),
                git.workTree().resolve("charts").toString());
        git.write(CONFIG + "/gateway.yaml", gatewayYaml());
        git.write(CONFIG + "/carrier.yaml", trunkYaml("carrier", "\"+15550199\""));
        // A room per call: the calls of the five minutes come from one caller, one identity.
        git.write(CONFIG + "/lobby.yaml", ruleYaml("lobby", "+15550199", "individual: {roomPrefix: lobby-}"));
        git.commit("The Dialtone chart and a telephony configuration");

        cluster.run(120, "env", "DIALTONE_ARGOCD_DIR=" + ARGOCD_STATE,
                Toolchain.root().resolve("scripts/argocd.sh").toString(), "up", cluster.kubeconfig().toString());
        // Outside Git: the LiveKit credentials (a secret manager's job) and the namespace the chart's dashboard
        // ConfigMap goes to, which a cluster running Grafana has.
        cluster.kubectl("apply", "--server-side", "-n", CONFIG, "-f", cluster.write("outside-git.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: %s}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: monitoring}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: livekit-credentials, namespace: %s, labels: {dialtone.io/secret: "true"}}
                stringData: {apiKey: devkey, apiSecret: secret}
                """.formatted(CONFIG, CONFIG)).toString());
        cluster.kubectl("apply", "--server-side", "-n", "argocd", "-f", cluster.write("applications.yaml",
                example("dialtone-chart.yaml") + "---\n" + example("dialtone-config.yaml")).toString());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                for (String app : List.of(CHART_APP, CONFIG)) {
                    Files.writeString(DIR.resolve("application-" + app + ".yaml"),
                            cluster.quietly("get", "application", "-n", "argocd", app, "-o", "yaml"));
                }
                Processes.Result down = Processes.run(List.of("env", "DIALTONE_ARGOCD_DIR=" + ARGOCD_STATE,
                        Toolchain.root().resolve("scripts/argocd.sh").toString(), "down"), DIR, 60);
                Files.writeString(DIR.resolve("argocd-down.log"), down.out() + down.err());
            }
        } finally {
            Closer.close(client, git, outside, cluster);
        }
    }

    /**
     * Both Applications sync; the telephony one is Healthy only once the trunk and rule are Ready and Propagated,
     * which Argo CD learns from Dialtone's health checks: while the gateway pods start it reports them Progressing
     * with the operator's words.
     */
    @Order(1)
    @Test
    void theApplicationsSyncAndTurnHealthyOnlyOnceTheRoutingIsLive() throws Exception {
        Instant started = Instant.now();
        Set<String> seen = new LinkedHashSet<>();
        Eventually.until("both Applications Synced and Healthy", Duration.ofMinutes(8), () -> {
            JsonNode config = application(CONFIG);
            JsonNode trunk = resource(config, "SipTrunk", "carrier");
            seen.add(config.at("/status/health/status").asText() + " | SipTrunk carrier "
                    + trunk.at("/health/status").asText() + ": " + trunk.at("/health/message").asText());
            if (!syncedAndHealthy(application(CHART_APP)) || !syncedAndHealthy(config)) {
                return false;
            }
            // Healthy came from the trunk's and rule's own status: they are live on the gateway pods.
            for (String resource : List.of("siptrunk/carrier", "dispatchrule/lobby")) {
                assertThat(condition(resource, "Ready")).as(resource).isEqualTo("True");
                assertThat(condition(resource, "Propagated")).as(resource).isEqualTo("True");
            }
            return true;
        }, ArgoCdIT::diagnosis);
        long seconds = Duration.between(started, Instant.now()).toSeconds();
        System.out.printf("ArgoCdIT: both Applications Synced and Healthy %d s after they were created; the telephony"
                + " Application as it went: %s%n", seconds, seen);

        JsonNode config = application(CONFIG);
        assertThat(resource(config, "SipTrunk", "carrier").at("/health/message").asText())
                .contains("in the routing of SipGateway edge");
        assertThat(resource(config, "SipGateway", "edge").at("/health/status").asText()).isEqualTo("Healthy");
        assertThat(seen).as("the trunk Progressing in Dialtone's words before it was live").anyMatch(state ->
                state.startsWith("Progressing") && state.contains("SipTrunk carrier Progressing: ")
                        && !state.endsWith(": "));
        assertThat(application(CHART_APP).at("/status/operationState/phase").asText()).isEqualTo("Succeeded");
    }

    /** A commit that adds a number to the trunk and a rule for it is synced, goes live, and routes the next call. */
    @Order(2)
    @Test
    void aCommitThatEditsATrunkIsSyncedGoesLiveAndRoutesACall() throws Exception {
        git.write(CONFIG + "/carrier.yaml", trunkYaml("carrier", "\"+15550199\", \"+15550123\""));
        git.write(CONFIG + "/sales.yaml", ruleYaml("sales", "+15550123", "direct: {roomName: sales}"));
        Instant committed = Instant.now();
        String revision = git.commit("Sales line: +15550123 on the carrier trunk, to room sales");
        refresh();
        awaitSyncedAndHealthy(revision);
        long live = Duration.between(committed, Instant.now()).toSeconds();
        JsonNode operation = application(CONFIG).at("/status/operationState");
        assertThat(operation.at("/syncResult/revision").asText()).isEqualTo(revision);
        assertThat(operation.path("phase").asText()).isEqualTo("Succeeded");
        assertThat(condition("siptrunk/carrier", "Propagated")).isEqualTo("True");

        String service = cluster.clusterIp(CONFIG, "edge-sip");
        Path scenario = new SippScenario("sales-call").invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(2000).bye("2").expect(200).write(DIR);
        Processes.Result sipp = outside.run(Sipp.command(scenario, service + ":5060", OUTSIDE, 5070, "+15550123",
                "+15550100", "-m", "1", "-timeout", "60"), DIR, 90);
        assertThat(sipp.exitCode()).as("sipp: %s%s\n%s", sipp.out(), sipp.err(),
                BridgedGateway.read(DIR.resolve("sales-call.xml.errors"))).isZero();
        Eventually.until("the call counted on rule sales", Duration.ofSeconds(60),
                () -> cluster.kubectl("get", "-n", CONFIG, "dispatchrule/sales", "-o",
                        "jsonpath={.status.totalCalls}").trim().equals("1"),
                () -> cluster.quietly("get", "sip", "-n", CONFIG, "-o", "wide"));
        System.out.printf("ArgoCdIT: the trunk edit Synced and Healthy (live on the gateway) %d s after the commit;"
                + " a call to +15550123 went to rule sales%n", live);
    }

    /** A resource the CRD refuses fails the sync, and Argo CD shows the CRD's CEL message; reverting heals it. */
    @Order(3)
    @Test
    void aResourceTheCrdRefusesFailsTheSyncWithTheCelMessage() throws Exception {
        git.write(CONFIG + "/late.yaml", trunkYaml("late", "\"+15550124\"").replace("spec:",
                "spec:\n  ringingTimeout: soon"));
        String refused = git.commit("A trunk whose ringing timeout is not a duration");
        refresh();
        // Argo CD retries a failed automated sync (5 times, backing off); the first attempt's result is there at once.
        JsonNode failed = Eventually.value("the sync of " + refused + " failing", Duration.ofMinutes(2), () -> {
            JsonNode result = application(CONFIG).at("/status/operationState/syncResult");
            if (!refused.equals(result.path("revision").asText())) {
                return Optional.empty();
            }
            return resources(result).filter(r -> "SyncFailed".equals(r.path("status").asText())).findFirst();
        }, ArgoCdIT::diagnosis);
        System.out.printf("ArgoCdIT: the refused trunk's sync result: %s%n", failed);
        assertThat(failed.path("name").asText()).isEqualTo("late");
        assertThat(failed.path("message").asText()).contains("spec.ringingTimeout",
                "must be a duration such as 500ms, 30s, 15m or 1h30m");
        assertThat(application(CONFIG).at("/status/sync/status").asText()).isEqualTo("OutOfSync");

        // What `argocd app terminate-op` writes, so the revert need not wait out the retries. The controller may
        // overwrite it with the next attempt's state, so it is written until the operation ends terminated.
        Eventually.until("the retries stopped", Duration.ofMinutes(1), () -> {
            JsonNode state = application(CONFIG).at("/status/operationState");
            if ("Running".equals(state.path("phase").asText())) {
                cluster.kubectl("patch", "application", "-n", "argocd", CONFIG, "--type", "merge", "-p",
                        "{\"status\":{\"operationState\":{\"phase\":\"Terminating\"}}}");
            }
            return "Failed".equals(state.path("phase").asText())
                    && state.path("message").asText().contains("terminated");
        }, ArgoCdIT::diagnosis);
        String reverted = git.revert(refused);
        refresh();
        awaitSyncedAndHealthy(reverted);
    }

    /** A trunk that conflicts with an older one turns the Application Degraded with the operator's reason. */
    @Order(4)
    @Test
    void aConflictingTrunkTurnsTheApplicationDegradedWithDialtonesReason() throws Exception {
        git.write(CONFIG + "/copy.yaml", trunkYaml("copy", "\"+15550199\""));
        String conflicting = git.commit("A second trunk for +15550199");
        refresh();
        JsonNode trunk = Eventually.value("the Application Degraded", Duration.ofMinutes(3), () -> {
            JsonNode app = application(CONFIG);
            boolean degraded = conflicting.equals(app.at("/status/sync/revision").asText())
                    && "Degraded".equals(app.at("/status/health/status").asText());
            return degraded ? Optional.of(resource(app, "SipTrunk", "copy")) : Optional.empty();
        }, ArgoCdIT::diagnosis);
        System.out.printf("ArgoCdIT: the conflicting trunk's health: %s%n", trunk.path("health"));
        assertThat(trunk.at("/health/status").asText()).isEqualTo("Degraded");
        assertThat(trunk.at("/health/message").asText()).startsWith("Conflict: ").contains("SipTrunk carrier is older");

        String reverted = git.revert(conflicting);
        refresh();
        awaitSyncedAndHealthy(reverted);
    }

    /**
     * Five minutes of calls: counts on every resource's status, the autoscaler taking the gateway from one pod to
     * three and back to one, the operator annotating the pods it added. Neither Application leaves Synced, and Argo
     * CD starts no sync of its own.
     */
    @Order(5)
    @Test
    void nothingDialtoneWritesMakesTheApplicationsOutOfSyncOverFiveMinutes() throws Exception {
        Map<String, String> operations = Map.of(
                CHART_APP, application(CHART_APP).at("/status/operationState/startedAt").asText(),
                CONFIG, application(CONFIG).at("/status/operationState/startedAt").asText());
        long lobbyBefore = cluster.totalCalls("-n", CONFIG, "dispatchrule/lobby");
        String service = cluster.clusterIp(CONFIG, "edge-sip");
        // A busy first two and a half minutes (a call every 2 s for 40 s each, about 20 up against a target of 4
        // per pod) over a quiet five (a call every 10 s for 20 s each, 2 up), each call from a socket of its own so
        // kube-proxy spreads them: out to 3 pods, then back in to 1 while calls still come.
        Map<String, Process> batches = Map.of(
                "busy", calls("busy", service, 5072, 75, 2000, 40_000),
                "quiet", calls("quiet", service, 5074, 28, 10_000, 20_000));
        int[] pods = {0, 0};
        Eventually.holds("both Applications Synced", Duration.ofMinutes(5), () -> {
            pods[0] = readyGatewayPods();
            pods[1] = Math.max(pods[1], pods[0]);
            return Stream.of(CHART_APP, CONFIG)
                    .allMatch(name -> "Synced".equals(application(name).at("/status/sync/status").asText()));
        }, ArgoCdIT::diagnosis);
        for (Map.Entry<String, Process> batch : batches.entrySet()) {
            assertThat(batch.getValue().waitFor(60, TimeUnit.SECONDS)).as("the %s calls ended", batch.getKey())
                    .isTrue();
            assertThat(batch.getValue().exitValue()).as("every call ended with its own BYE: %s",
                    BridgedGateway.read(DIR.resolve(batch.getKey() + ".sipp.log"))).isZero();
        }
        assertThat(pods[1]).as("the autoscaler scaled out").isEqualTo(3);
        assertThat(pods[0]).as("and back in while the quiet calls went on").isEqualTo(1);
        Eventually.until("the 103 calls counted", Duration.ofSeconds(60),
                () -> cluster.totalCalls("-n", CONFIG, "dispatchrule/lobby") == lobbyBefore + 103,
                () -> cluster.quietly("get", "sip", "-n", CONFIG, "-o", "wide"));
        for (Map.Entry<String, String> operation : operations.entrySet()) {
            assertThat(application(operation.getKey()).at("/status/operationState/startedAt").asText())
                    .as("no sync of %s since", operation.getKey()).isEqualTo(operation.getValue());
        }
        System.out.printf("ArgoCdIT: 5 minutes, 103 calls, 1 -> 3 -> 1 gateway pods: both Applications Synced"
                + " throughout%n");
    }

    /** {@code count} calls to the lobby, one every {@code everyMillis}, each {@code millis} long. */
    private static Process calls(String name, String service, int port, int count, int everyMillis, int millis)
            throws Exception {
        Path scenario = new SippScenario(name).invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(millis).bye("2").expect(200).write(DIR);
        return outside.start(Sipp.command(scenario, service + ":5060", OUTSIDE, port, "+15550199", "+15550100",
                "-m", String.valueOf(count), "-r", "1", "-rp", String.valueOf(everyMillis), "-t", "un",
                "-max_socket", "100", "-timeout", "360"), Map.of(), DIR.resolve(name + ".sipp.log"));
    }

    private static int readyGatewayPods() {
        Deployment deployment = client.apps().deployments().inNamespace(CONFIG).withName("edge-gateway").get();
        Integer ready = deployment == null || deployment.getStatus() == null ? null
                : deployment.getStatus().getReadyReplicas();
        return ready == null ? 0 : ready;
    }

    private static String gatewayYaml() {
        return """
                # The gateway: autoscaled on active calls, so Git holds no replica count (docs/gitops.md).
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata:
                  name: edge
                  annotations: {argocd.argoproj.io/sync-wave: "1"}
                spec:
                  autoscaling: {minReplicas: 1, maxReplicas: 3, targetActiveCallsPerPod: 4,
                                scaleDownStabilizationSeconds: 30}
                  livekit: {url: "http://%s:7880", credentialsSecret: {name: livekit-credentials}}
                  sip: {port: 5060}
                  media: {rtpPortRange: {min: 10000, max: 10999}, codecs: [PCMU]}
                  resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 1Gi}}
                """.formatted(OUTSIDE);
    }

    /** The calls send no RTP: a media timeout longer than the longest call. */
    private static String trunkYaml(String name, String numbers) {
        return """
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata:
                  name: %s
                  annotations: {argocd.argoproj.io/sync-wave: "2"}
                spec:
                  gatewayRef: edge
                  numbers: [%s]
                  answerWhen: joined
                  media: {timeout: 2m}
                """.formatted(name, numbers);
    }

    private static String ruleYaml(String name, String number, String dispatch) {
        return """
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata:
                  name: %s
                  annotations: {argocd.argoproj.io/sync-wave: "2"}
                spec:
                  gatewayRef: edge
                  numbers: ["%s"]
                  %s
                """.formatted(name, number, dispatch);
    }

    /** An Application of examples/argocd/ pointed at the test's repository and images. */
    private static String example(String file) throws Exception {
        ObjectNode app = (ObjectNode) YAML.readTree(Toolchain.root().resolve("examples/argocd").resolve(file)
                .toFile());
        ObjectNode source = (ObjectNode) app.path("spec").path("source");
        source.put("repoURL", git.url());
        source.put("targetRevision", "main");
        if (source.has("helm")) {
            ObjectNode image = (ObjectNode) source.path("helm").path("valuesObject").path("image");
            image.put("registry", "dialtone").put("tag", TAG).put("pullPolicy", "Never");
        } else {
            source.put("path", CONFIG);
            ((ObjectNode) app.path("spec").path("destination")).put("namespace", CONFIG);
        }
        return YAML.writeValueAsString(app);
    }

    private static JsonNode application(String name) {
        GenericKubernetesResource app = client.genericKubernetesResources("argoproj.io/v1alpha1", "Application")
                .inNamespace("argocd").withName(name).get();
        return app == null ? JSON.createObjectNode() : JSON.valueToTree(app);
    }

    /** An entry of the Application's status.resources, or a missing node. */
    private static JsonNode resource(JsonNode app, String kind, String name) {
        return resources(app.path("status")).filter(r -> kind.equals(r.path("kind").asText())
                && name.equals(r.path("name").asText())).findFirst().orElse(JSON.missingNode());
    }

    /** The "resources" list of an Application's status or of a sync result. */
    private static Stream<JsonNode> resources(JsonNode holder) {
        List<JsonNode> resources = new ArrayList<>();
        holder.path("resources").forEach(resources::add);
        return resources.stream();
    }

    private static boolean syncedAndHealthy(JsonNode app) {
        return "Synced".equals(app.at("/status/sync/status").asText())
                && "Healthy".equals(app.at("/status/health/status").asText());
    }

    /** What a Git host's webhook does on a push: asks Argo CD to compare the Application with Git now. */
    private static void refresh() throws Exception {
        cluster.kubectl("annotate", "application", "-n", "argocd", CONFIG, "--overwrite",
                "argocd.argoproj.io/refresh=normal");
    }

    private static void awaitSyncedAndHealthy(String revision) {
        Eventually.until("the telephony Application Synced and Healthy at " + revision, Duration.ofMinutes(3), () -> {
            JsonNode app = application(CONFIG);
            return revision.equals(app.at("/status/sync/revision").asText()) && syncedAndHealthy(app);
        }, ArgoCdIT::diagnosis);
    }

    private static String condition(String resource, String type) throws Exception {
        return cluster.kubectl("get", "-n", CONFIG, resource, "-o",
                "jsonpath={.status.conditions[?(@.type==\"" + type + "\")].status}").trim();
    }


    private static String diagnosis() {
        StringBuilder out = new StringBuilder();
        for (String app : List.of(CHART_APP, CONFIG)) {
            out.append(cluster.quietly("get", "application", "-n", "argocd", app, "-o",
                    "jsonpath={.status.sync}{\"\\n\"}{.status.health}{\"\\n\"}{.status.operationState.phase}"
                            + " {.status.operationState.message}{\"\\n\"}{.status.conditions}{\"\\n\"}"
                            + "{range .status.resources[*]}{.kind}/{.name} {.status} {.health}{\"\\n\"}{end}"))
                    .append('\n');
        }
        out.append(cluster.quietly("get", "sip,pods", "-A", "-o", "wide"));
        try (Stream<String> log = Files.lines(ARGOCD_STATE.resolve("logs/application-controller.log"))) {
            List<String> lines = log.toList();
            out.append("\napplication controller, last lines:\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        } catch (Exception e) {
            out.append("\n(no controller log: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }
}
