package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.ClientCrashed;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.RtpPcap;
import io.dialtone.e2e.support.ScriptResult;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junitpioneer.jupiter.RetryingTest;

/**
 * Dialtone in a real one-node cluster (scripts/cluster.sh): the images built here (scripts/build-images.sh) and
 * loaded into the node, the chart installed with helm, the operator and two gateway pods running in containers.
 * LiveKit, sipp and the Python client sit in a network namespace plugged into the cluster's bridge, as a carrier and
 * a LiveKit deployment outside the cluster would; calls go through the gateway Service's address.
 */
class ClusterIT {
    private static final Path DIR = Path.of("target", "cluster-it").toAbsolutePath();
    private static final String TAG = "cluster-test";
    private static final String OUTSIDE = "10.88.0.200";
    private static final String NODE = "10.88.0.1";
    private static final double AMPLITUDE = 8000;
    /** Calls to this number get a room each: one caller's many calls would otherwise share one identity. */
    private static final String ROLLING_NUMBER = "+15550177";
    private static Path kubeconfig;
    private static NetworkNamespace outside;

    @BeforeAll
    static void start() throws Exception {
        // The cluster and the namespace on its bridge need what a namespace of the test's own needs: root.
        NetworkNamespace.assumeAvailable("ClusterIT");
        Files.createDirectories(DIR);
        script(600, "scripts/cluster.sh", "up");
        kubeconfig = Path.of(script(10, "scripts/cluster.sh", "kubeconfig").trim());
        script(1200, "scripts/build-images.sh", "--tag", TAG);
        script(300, "scripts/cluster.sh", "load", "dialtone/operator:" + TAG, "dialtone/gateway:" + TAG);
        outside = NetworkNamespace.onBridge("dtco" + ProcessHandle.current().pid() % 100000, "dtk0", OUTSIDE, NODE);
        BridgedGateway.startLiveKit(outside, DIR, OUTSIDE);
        Eventually.until("LiveKit answering", Duration.ofSeconds(60),
                () -> BridgedGateway.answers(outside, DIR, "http://" + OUTSIDE + ":7880/"),
                () -> BridgedGateway.read(DIR.resolve("livekit-server.log")));
        run(300, Toolchain.helm().toString(), "--kubeconfig", kubeconfig.toString(), "install", "dialtone",
                Toolchain.root().resolve("charts/dialtone").toString(), "--namespace", "dialtone-system",
                "--create-namespace", "--set", "image.tag=" + TAG, "--set", "image.pullPolicy=Never", "--wait",
                "--timeout", "5m");
        kubectl("apply", "--server-side", "-f", write("dialtone.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: livekit-credentials, labels: {dialtone.io/secret: "true"}}
                stringData: {apiKey: devkey, apiSecret: secret}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: edge}
                spec:
                  replicas: 2
                  livekit: {url: "http://%s:7880", credentialsSecret: {name: livekit-credentials}}
                  sip: {port: 5060}
                  media: {rtpPortRange: {min: 10000, max: 10999}, codecs: [PCMU]}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                # The rolling update's calls send no RTP: 2 minutes of silence are allowed.
                spec: {gatewayRef: edge, answerWhen: joined, media: {timeout: 2m}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: lobby}
                spec: {gatewayRef: edge, numbers: ["+15550199"], direct: {roomName: cluster-room}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: per-call}
                spec: {gatewayRef: edge, numbers: ["%s"], individual: {roomPrefix: roll-}}
                """.formatted(OUTSIDE, ROLLING_NUMBER)).toString());
        kubectl("wait", "--for=condition=Ready", "--timeout=300s", "sipgateway/edge");
        kubectl("rollout", "status", "deployment/edge-gateway", "--timeout=300s");
        kubectl("wait", "--for=condition=Propagated", "--timeout=120s", "siptrunk/carrier", "dispatchrule/lobby",
                "dispatchrule/per-call");
    }

    @AfterAll
    static void stop() throws Exception {
        if (outside != null) {
            outside.close();
        }
        if (kubeconfig != null) {
            keepPodLogs();
        }
        if (kubeconfig != null && System.getenv("DIALTONE_KEEP_CLUSTER") == null) {
            Processes.Result down = Processes.run(List.of(Toolchain.root().resolve("scripts/cluster.sh").toString(),
                    "down"), DIR, 300);
            Files.writeString(DIR.resolve("cluster-down.log"), down.out() + down.err());
        }
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void aCallThroughTheServiceIsHeardInTheRoomAndCounted() throws Exception {
        String service = kubectl("get", "service", "edge-sip", "-o", "jsonpath={.spec.clusterIP}").trim();
        long trunkBefore = total("siptrunk/carrier");
        Path tone = RtpPcap.tone(DIR.resolve("tone-440.pcap"), 440, 8, AMPLITUDE);
        Process listener = outside.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/listen.py").toString(),
                        "ws://" + OUTSIDE + ":7880", "cluster-room", "3"),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("listener.out"));
        SippScenario call = new SippScenario("cluster-call").invite("").optional(100).optional(180).expect(200)
                .ack("1").playPcap(tone).pause(9000).bye("2").expect(200);
        Path scenario = call.write(DIR);
        Processes.Result sipp = outside.run(Sipp.command(scenario, service + ":5060", OUTSIDE, 5070, "+15550199",
                "+15550100", "-m", "1", "-timeout", "60"), DIR, 90);
        assertThat(sipp.exitCode()).as("sipp: %s%s\n%s", sipp.out(), sipp.err(),
                BridgedGateway.read(DIR.resolve("cluster-call.xml.errors"))).isZero();
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).as("the listener finished").isTrue();
        JsonNode heard = ScriptResult.of(DIR.resolve("listener.out"), "the listener");
        assertThat(heard.path("from").asText()).isEqualTo("sip_+15550100");
        assertThat(heard.path("share440").asDouble()).as("share of the power at 440 Hz").isGreaterThan(0.95);
        Eventually.until("the call counted on the trunk", Duration.ofSeconds(60),
                () -> total("siptrunk/carrier") == trunkBefore + 1, () -> quietly("get", "sip", "-o", "wide"));
        System.out.println("ClusterIT: " + kubectl("get", "sip"));
    }

    /**
     * A rolling update while 20 calls are up: the old pods drain, and every call ends with its own BYE answered 200,
     * none with 481 or a timeout.
     */
    @Test
    void aRollingUpdateWithCallsUpDropsNone() throws Exception {
        Survived survived = callsSurvive("rolling", 20, 5072, before -> {
            // A setting that changes the pods' arguments, so the Deployment rolls.
            kubectl("patch", "sipgateway", "edge", "--type=merge", "-p",
                    "{\"spec\":{\"media\":{\"recycleAfterCalls\":4000}}}");
            Eventually.until("the operator rolling the Deployment", Duration.ofSeconds(60),
                    () -> kubectl("get", "deployment", "edge-gateway", "-o",
                            "jsonpath={.spec.template.spec.containers[0].args}").contains("4000"),
                    () -> quietly("get", "deployment", "edge-gateway", "-o", "yaml"));
            kubectl("rollout", "status", "deployment/edge-gateway", "--timeout=300s");
            return before;
        });
        System.out.printf("ClusterIT: rolling update with 20 calls up: new pods ready after %d s, old pods gone after"
                + " %d s (their calls' last BYE came 45 s after the answer), no call dropped; %d requests relayed by"
                + " the new pods to the draining ones%n", survived.disrupted(), survived.gone(), survived.relayed());
    }

    /** {@code kubectl delete pod} of a gateway carrying calls: it drains, and none of the 10 calls is dropped. */
    @Test
    void aGatewayPodDeletedWithCallsUpDropsNone() throws Exception {
        Survived survived = callsSurvive("deleted", 10, 5074, before -> {
            kubectl("delete", "pod", before.get(0), "--wait=false");
            kubectl("rollout", "status", "deployment/edge-gateway", "--timeout=300s");
            return List.of(before.get(0));
        });
        System.out.printf("ClusterIT: a gateway pod deleted with 10 calls up: its replacement ready after %d s, the"
                + " pod gone after %d s, no call dropped; %d requests relayed%n", survived.disrupted(), survived.gone(),
                survived.relayed());
    }

    /** What the gateway pods are made to go through while calls are up; the pods it makes leave. */
    @FunctionalInterface
    private interface Disruption {
        List<String> apply(List<String> gatewayPods) throws Exception;
    }

    /** Seconds until the disruption was done and until the pods it removed were gone; requests relayed after. */
    private record Survived(long disrupted, long gone, long relayed) {
    }

    /**
     * {@code calls} calls of 45 s through the gateway Service, each from a socket of its own so kube-proxy spreads
     * them over the pods; once all are up, {@code disruption}. Every call must end with its own BYE answered 200
     * (none with 481 or a timeout), the pods it removed must leave once their calls ended, and the calls must be
     * counted. When a pod leaves the Service, kube-proxy forgets its UDP flows, so its callers' BYEs reach another
     * pod, which relays them to the pod that holds the call.
     */
    private Survived callsSurvive(String name, int calls, int port, Disruption disruption) throws Exception {
        String service = kubectl("get", "service", "edge-sip", "-o", "jsonpath={.spec.clusterIP}").trim();
        List<String> before = gatewayPods("metadata.name");
        long ruleBefore = total("dispatchrule/per-call");
        SippScenario call = new SippScenario(name).invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(45_000).bye("2").expect(200);
        Path scenario = call.write(DIR);
        List<String> command = Sipp.command(scenario, service + ":5060", OUTSIDE, port, ROLLING_NUMBER, "+15550100",
                "-m", String.valueOf(calls), "-l", String.valueOf(calls), "-r", "10", "-t", "un", "-max_socket", "100",
                "-timeout", "150");
        Process sipp = outside.start(command, Map.of(), DIR.resolve(name + ".sipp.log"));
        Eventually.until(calls + " calls up", Duration.ofSeconds(60),
                () -> kubectl("get", "sipgateway", "edge", "-o", "jsonpath={.status.activeCalls}").trim()
                        .equals(String.valueOf(calls)),
                () -> quietly("get", "sipgateway", "edge", "-o", "yaml"));
        long started = System.nanoTime();
        List<String> leaving = disruption.apply(before);
        long disrupted = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(sipp.waitFor(150, TimeUnit.SECONDS)).as("sipp finished").isTrue();
        assertThat(sipp.exitValue()).as("every call ended with its own BYE: %s\n%s",
                BridgedGateway.read(DIR.resolve(name + ".sipp.log")),
                BridgedGateway.read(DIR.resolve(name + ".xml.errors"))).isZero();
        Eventually.until("the pods gone once their calls ended", Duration.ofSeconds(120),
                () -> leaving.stream().noneMatch(pod -> quietly("get", "pods", "-o", "name").contains(pod)),
                () -> quietly("get", "pods", "-o", "wide"));
        long gone = (System.nanoTime() - started) / 1_000_000_000L;
        long relayed = 0;
        for (String ip : gatewayPods("status.podIP")) {
            relayed += BridgedGateway.metric(outside, DIR, ip, "dialtone_gateway_sip_relayed_total",
                    "what=\"request\"");
        }
        Eventually.until("the calls counted", Duration.ofSeconds(60),
                () -> total("dispatchrule/per-call") == ruleBefore + calls,
                () -> quietly("get", "sip", "-o", "wide"));
        return new Survived(disrupted, gone, relayed);
    }

    /** A field of every gateway pod, e.g. metadata.name or status.podIP. */
    private static List<String> gatewayPods(String field) throws Exception {
        return List.of(kubectl("get", "pods", "-l", "app.kubernetes.io/component=gateway", "-o",
                "jsonpath={.items[*]." + field + "}").trim().split(" "));
    }

    /** A resource's status.totalCalls; 0 before its first call. */
    private static long total(String resource) throws Exception {
        String total = kubectl("get", resource, "-o", "jsonpath={.status.totalCalls}").trim();
        return total.isEmpty() ? 0 : Long.parseLong(total);
    }

    /** Every pod's log, kept beside the test's other logs: the cluster goes when the test ends. */
    private static void keepPodLogs() {
        for (String namespace : List.of("default", "dialtone-system")) {
            for (String pod : quietly("get", "pods", "-n", namespace, "-o", "name").lines().toList()) {
                if (pod.startsWith("pod/")) {
                    String log = quietly("logs", "-n", namespace, pod, "--all-containers", "--tail=2000");
                    try {
                        Files.writeString(DIR.resolve(namespace + "-" + pod.substring(4) + ".log"), log);
                    } catch (java.io.IOException e) {
                        System.err.println("ClusterIT: could not keep the log of " + pod + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private static String kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Toolchain.kubectl().toString(), "--kubeconfig",
                kubeconfig.toString()));
        if (!List.of(args).contains("-n")) {
            command.addAll(List.of("-n", "default"));
        }
        command.addAll(List.of(args));
        return run(120, command.toArray(String[]::new));
    }

    /** kubectl's output, or why there is none, for a failure message. */
    private static String quietly(String... args) {
        try {
            return kubectl(args);
        } catch (Exception | AssertionError e) {
            return e.getMessage();
        }
    }

    private static String script(long seconds, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Toolchain.root().resolve(script).toString()));
        command.addAll(List.of(args));
        return run(seconds, command.toArray(String[]::new));
    }

    private static String run(long seconds, String... command) throws Exception {
        Processes.Result result = Processes.run(List.of(command), DIR, seconds);
        assertThat(result.exitCode()).as("%s:\n%s%s", String.join(" ", command), result.out(), result.err()).isZero();
        return result.out();
    }

    private static Path write(String name, String text) throws Exception {
        return Files.writeString(DIR.resolve(name), text);
    }
}
