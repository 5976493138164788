package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.ClientCrashed;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.OneNodeCluster;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.RtpPcap;
import io.dialtone.e2e.support.ScriptResult;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junitpioneer.jupiter.RetryingTest;

/**
 * Dialtone in a real one-node cluster (scripts/cluster.sh): the images built here (scripts/build-images.sh) and
 * loaded into the node, the chart installed with helm, the operator and two gateway pods running in containers.
 * LiveKit, sipp and the Python client sit in a network namespace plugged into the cluster's bridge, as a carrier and
 * a LiveKit deployment outside the cluster would; calls go through the gateway Service's address.
 */
// The outage comes before the scenarios that need the cluster whole again after it, so every run checks that it is.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Path DIR = Path.of("target", "cluster-it").toAbsolutePath();
    private static final String TAG = "cluster-test";
    private static final String OUTSIDE = "10.88.0.200";
    private static final String NODE = "10.88.0.1";
    private static final double AMPLITUDE = 8000;
    /** Calls to this number get a room each: one caller's many calls would otherwise share one identity. */
    private static final String ROLLING_NUMBER = "+15550177";
    /** The autoscaling scenario's first calls: the time the cluster has to scale out and take the second calls. */
    private static final Duration FIRST_CALLS = Duration.ofSeconds(180);
    private static final Duration SECOND_CALLS_UP = Duration.ofSeconds(30);
    /** How long the second calls stay up after the first end: the scale-in picks its pod while they are up. */
    private static final Duration SECOND_CALLS_OUTLAST = Duration.ofSeconds(60);
    /** How long after its calls should have ended sipp gives up. */
    private static final Duration SIPP_GRACE = Duration.ofSeconds(105);
    /**
     * sipp's own timeout counts from its start, a moment after the test computed when its calls end: waits for sipp
     * give it this much more, so a sipp that gives up is seen to exit and its log is shown.
     */
    private static final Duration SIPP_STARTING = Duration.ofSeconds(15);
    private static OneNodeCluster cluster;
    private static NetworkNamespace outside;

    @BeforeAll
    static void start() throws Exception {
        // The cluster and the namespace on its bridge need what a namespace of the test's own needs: root.
        NetworkNamespace.assumeAvailable("ClusterIT");
        cluster = OneNodeCluster.up(DIR, TAG, "default", "autoscale", "dialtone-system");
        outside = NetworkNamespace.onBridge("dtco" + ProcessHandle.current().pid() % 100000, "dtk0", OUTSIDE, NODE);
        BridgedGateway.startLiveKit(outside, DIR, OUTSIDE);
        Eventually.until("LiveKit answering", Duration.ofSeconds(60),
                () -> BridgedGateway.answers(outside, DIR, "http://" + OUTSIDE + ":7880/"),
                () -> BridgedGateway.read(DIR.resolve("livekit-server.log")));
        run(300, Toolchain.helm().toString(), "--kubeconfig", cluster.kubeconfig().toString(), "install", "dialtone",
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
        if (cluster != null) {
            cluster.close();
        }
    }

    @Order(6)
    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void aCallThroughTheServiceIsHeardInTheRoomAndCounted() throws Exception {
        String service = cluster.clusterIp("default", "edge-sip");
        long trunkBefore = cluster.totalCalls("siptrunk/carrier");
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
                () -> cluster.totalCalls("siptrunk/carrier") == trunkBefore + 1,
                () -> quietly("get", "sip", "-o", "wide"));
        System.out.println("ClusterIT: " + kubectl("get", "sip"));
    }

    /**
     * A rolling update while 20 calls are up: the old pods drain, and every call ends with its own BYE answered 200,
     * none with 481 or a timeout.
     */
    @Order(4)
    @Test
    void aRollingUpdateWithCallsUpDropsNone() throws Exception {
        Survived survived = callsSurvive("rolling", 20, 5072, 0, before -> {
            // A setting that changes the pods' arguments, so the Deployment rolls.
            kubectl("patch", "sipgateway", "edge", "--type=merge", "-p",
                    "{\"spec\":{\"media\":{\"roomCodec\":\"opus\"}}}");
            Eventually.until("the operator rolling the Deployment", Duration.ofSeconds(60),
                    () -> kubectl("get", "deployment", "edge-gateway", "-o",
                            "jsonpath={.spec.template.spec.containers[0].args}").contains("opus"),
                    () -> quietly("get", "deployment", "edge-gateway", "-o", "yaml"));
            kubectl("rollout", "status", "deployment/edge-gateway", "--timeout=300s");
            return before;
        });
        System.out.printf("ClusterIT: rolling update with 20 calls up: new pods ready after %d s, old pods gone after"
                + " %d s (their calls' last BYE came 45 s after the answer), no call dropped; %d requests relayed by"
                + " the new pods to the draining ones%n", survived.disrupted(), survived.gone(), survived.relayed());
    }

    /** {@code kubectl delete pod} of a gateway carrying calls: it drains, and none of the 10 calls is dropped. */
    @Order(2)
    @Test
    void aGatewayPodDeletedWithCallsUpDropsNone() throws Exception {
        Survived survived = callsSurvive("deleted", 10, 5074, 0, before -> {
            kubectl("delete", "pod", before.get(0), "--wait=false");
            kubectl("rollout", "status", "deployment/edge-gateway", "--timeout=300s");
            return List.of(before.get(0));
        });
        System.out.printf("ClusterIT: a gateway pod deleted with 10 calls up: its replacement ready after %d s, the"
                + " pod gone after %d s, no call dropped; %d requests relayed%n", survived.disrupted(), survived.gone(),
                survived.relayed());
    }

    /**
     * 100 calls from one caller socket through the Service: kube-proxy sends every packet of it to one pod, and the
     * calls that belong to the other pod are relayed to it. Every ACK, re-INVITE, INFO and BYE must be answered 200
     * by the pod that holds the call (no 481), and every call counted.
     */
    @Order(5)
    @Test
    void aHundredCallsThroughTheServiceAreEachAnsweredByThePodThatHoldsThem() throws Exception {
        String service = cluster.clusterIp("default", "edge-sip");
        long ruleBefore = cluster.totalCalls("dispatchrule/per-call");
        Map<String, Long> relayedBefore = relayedByPod();
        SippScenario call = new SippScenario("hundred").invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(300).reInvite("2", "sendonly").optional(100).expect(200).ack("2")
                .inDialog("INFO", "3", "application/dtmf-relay", "Signal=5\nDuration=160\n").expect(200)
                .pause(300).bye("4").expect(200);
        Path scenario = call.write(DIR);
        long started = System.nanoTime();
        Processes.Result sipp = outside.run(Sipp.command(scenario, service + ":5060", OUTSIDE, 5076, ROLLING_NUMBER,
                "+15550100", "-m", "100", "-r", "10", "-l", "20", "-timeout", "120"), DIR, 180);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(sipp.exitCode()).as("sipp: %s%s\n%s", sipp.out(), sipp.err(),
                BridgedGateway.read(DIR.resolve("hundred.xml.errors"))).isZero();
        long relayed = relayedSince(relayedBefore);
        assertThat(relayed).as("requests relayed to the pod that holds their call").isPositive();
        Eventually.until("the 100 calls counted", Duration.ofSeconds(60),
                () -> cluster.totalCalls("dispatchrule/per-call") == ruleBefore + 100,
                () -> quietly("get", "sip", "-o", "wide"));
        System.out.printf("ClusterIT: 100 calls from one socket through the Service in %d s, each request answered by"
                + " the pod holding its call; %d requests relayed%n", seconds, relayed);
    }

    /**
     * The operator pod killed and the control plane (API server, controller manager, scheduler) stopped for 60 s
     * while 10 calls are up: the calls go on and end with their own BYEs, 5 new calls are made during the outage,
     * and once both are back the counts are exact.
     */
    @Order(3)
    @Test
    void callsGoOnThroughAnOperatorKilledAndTheApiServerStoppedAndTheCountsCatchUpExactly() throws Exception {
        String service = cluster.clusterIp("default", "edge-sip");
        SippScenario shortCall = new SippScenario("during-outage").invite("").optional(100).optional(180).expect(200)
                .ack("1").pause(2000).bye("2").expect(200);
        Path during = shortCall.write(DIR);
        long[] outage = new long[1];
        long[] back = new long[1];
        callsSurvive("outage", 10, 5078, 5, before -> {
            String operator = kubectl("get", "pods", "-n", "dialtone-system", "-l",
                    "app.kubernetes.io/name=dialtone", "-o", "jsonpath={.items[0].metadata.name}").trim();
            kubectl("delete", "pod", "-n", "dialtone-system", operator, "--grace-period=0", "--force");
            long stopped = System.nanoTime();
            script(60, "scripts/cluster.sh", "control-plane", "stop");
            Processes.Result calls = outside.run(Sipp.command(during, service + ":5060", OUTSIDE, 5079,
                    ROLLING_NUMBER, "+15550100", "-m", "5", "-r", "2", "-timeout", "40"), DIR, 60);
            assertThat(calls.exitCode()).as("new calls while the API server is down: %s%s\n%s", calls.out(),
                    calls.err(), BridgedGateway.read(DIR.resolve("during-outage.xml.errors"))).isZero();
            // The outage lasts 60 s whatever the calls took: that is the scenario, not a wait for something.
            Thread.sleep(Math.max(0, 60_000 - (System.nanoTime() - stopped) / 1_000_000));
            script(150, "scripts/cluster.sh", "control-plane", "start");
            outage[0] = (System.nanoTime() - stopped) / 1_000_000_000L;
            back[0] = System.nanoTime();
            nodeBackAfter(Instant.now().minusSeconds(1));
            return List.of();
        });
        System.out.printf("ClusterIT: operator pod killed, control plane down %d s with 10 calls up and 5 new calls"
                + " made meanwhile: no call dropped, counts exact %d s after the API server was back%n", outage[0],
                (System.nanoTime() - back[0]) / 1_000_000_000L);
    }

    /**
     * A SipGateway that autoscales on active calls (4 per pod, 1 to 3 pods) through the operator's custom metrics
     * API. 12 calls on its one pod scale it out to 3 (as fast as the cluster starts pods, within 2½ of the first
     * calls' 3 minutes); 6 more calls spread over the three; once the first 12 end, it scales in to 2, removing the
     * pod with the fewest calls (its pod-deletion-cost), which drains. Every call of both batches ends with its own
     * BYE, and all 18 are counted.
     */
    @Order(1)
    @Test
    void theAutoscalerScalesOutAndInOnActiveCallsDroppingNone() throws Exception {
        try {
            scaleOutAndIn();
        } finally {
            // Its pods would otherwise take CPU from the scenarios after it.
            quietly("delete", "namespace", "autoscale", "--wait=false");
        }
    }

    private void scaleOutAndIn() throws Exception {
        kubectl("apply", "--server-side", "-n", "autoscale", "-f", write("autoscale.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: autoscale}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: livekit-credentials, namespace: autoscale, labels: {dialtone.io/secret: "true"}}
                stringData: {apiKey: devkey, apiSecret: secret}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: scaled, namespace: autoscale}
                spec:
                  autoscaling: {minReplicas: 1, maxReplicas: 3, targetActiveCallsPerPod: 4,
                                scaleDownStabilizationSeconds: 20}
                  livekit: {url: "http://%s:7880", credentialsSecret: {name: livekit-credentials}}
                  sip: {port: 5060}
                  media: {rtpPortRange: {min: 10000, max: 10999}, codecs: [PCMU]}
                  # Three pods of this gateway beside the other gateway's on a node of two cores.
                  resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 1Gi}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier, namespace: autoscale}
                # sipp sends no audio: the calls, up to 4 minutes long, must not end on the media timeout.
                spec: {gatewayRef: scaled, answerWhen: joined, media: {timeout: 6m}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: per-call, namespace: autoscale}
                spec: {gatewayRef: scaled, numbers: ["%s"], individual: {roomPrefix: scaled-}}
                """.formatted(OUTSIDE, ROLLING_NUMBER)).toString());
        kubectl("wait", "-n", "autoscale", "--for=condition=Ready", "--timeout=300s", "sipgateway/scaled");
        kubectl("wait", "-n", "autoscale", "--for=condition=Propagated", "--timeout=120s", "siptrunk/carrier",
                "dispatchrule/per-call");
        Eventually.until("the autoscaler reading active calls from custom.metrics.k8s.io", Duration.ofSeconds(120),
                () -> !kubectl("get", "-n", "autoscale", "hpa", "scaled-gateway", "-o",
                        "jsonpath={.status.currentMetrics[0].pods.current.averageValue}").isBlank(),
                () -> quietly("describe", "-n", "autoscale", "hpa", "scaled-gateway")
                        + quietly("get", "apiservice", "v1beta2.custom.metrics.k8s.io", "-o", "yaml"));
        String served = kubectl("get", "--raw",
                "/apis/custom.metrics.k8s.io/v1beta2/namespaces/autoscale/pods/*/dialtone_gateway_active_calls");
        assertThat(served).contains("\"kind\":\"MetricValueList\"", "\"value\":\"0\"");
        String service = cluster.clusterIp("autoscale", "scaled-sip");
        long ruleBefore = cluster.totalCalls("-n", "autoscale", "dispatchrule/per-call");

        // The second batch must come up while the first is still up, and the pods take as long as they take to
        // start: so every wait before it is bounded by what is left of the first batch, not by a time of its own.
        Instant firstEnds = Instant.now().plus(FIRST_CALLS);
        Instant secondBy = firstEnds.minus(SECOND_CALLS_UP);
        Process first = callsFromSockets("scale-first", service, 12, 5082, FIRST_CALLS);
        activeCalls("autoscale", "scaled", 12, until(secondBy));
        long started = System.nanoTime();
        Eventually.until("3 pods ready for 12 calls", until(secondBy),
                () -> kubectl("get", "-n", "autoscale", "deployment", "scaled-gateway", "-o",
                        "jsonpath={.status.readyReplicas}").trim().equals("3"),
                () -> quietly("describe", "-n", "autoscale", "hpa", "scaled-gateway"));
        long scaledOut = (System.nanoTime() - started) / 1_000_000_000L;
        // New calls spread once every pod counts the new ones among those taking calls (the Service's EndpointSlices).
        Eventually.until("each pod seeing a fleet of 3", until(secondBy), () -> {
            for (String pod : kubectl("get", "pods", "-n", "autoscale", "-o", "name").trim().split("\\s+")) {
                List<String> fleet = quietly("logs", "-n", "autoscale", pod).lines()
                        .filter(line -> line.contains("taking new calls")).toList();
                if (fleet.isEmpty() || !fleet.get(fleet.size() - 1).contains("3 taking new calls")) {
                    return false;
                }
            }
            return true;
        }, () -> quietly("logs", "-n", "autoscale", "-l", "app.kubernetes.io/component=gateway", "--tail=5"));
        // The second batch outlasts the first by long enough for the scale-in to pick a pod while it is up.
        Instant secondEnds = firstEnds.plus(SECOND_CALLS_OUTLAST);
        Process second = callsFromSockets("scale-second", service, 6, 5084, until(secondEnds));
        activeCalls("autoscale", "scaled", 18, SECOND_CALLS_UP);

        assertThat(exited(first, firstEnds)).as("the first calls ended").isTrue();
        long firstEnded = System.nanoTime();
        Map<String, Long> costs = new HashMap<>();
        Eventually.until("scaled in to 2 pods for 6 calls", Duration.ofSeconds(120), () -> {
            if (kubectl("get", "-n", "autoscale", "deployment", "scaled-gateway", "-o",
                    "jsonpath={.spec.replicas}").trim().equals("2")) {
                return true;
            }
            costs.clear();
            costs.putAll(deletionCosts());
            return false;
        }, () -> quietly("describe", "-n", "autoscale", "hpa", "scaled-gateway"));
        long scaledIn = (System.nanoTime() - firstEnded) / 1_000_000_000L;
        String[] leaving = new String[1];
        Eventually.until("the ReplicaSet removing one pod", Duration.ofSeconds(30), () -> {
            leaving[0] = kubectl("get", "pods", "-n", "autoscale", "-o",
                    "jsonpath={.items[?(@.metadata.deletionTimestamp)].metadata.name}").trim();
            return !leaving[0].isEmpty();
        }, () -> quietly("get", "pods", "-n", "autoscale", "-o", "wide"));
        String removed = leaving[0];
        assertThat(removed).as("one pod leaving").doesNotContain(" ");
        assertThat(costs.get(removed)).as("the pod removed has the fewest calls of %s", costs)
                .isEqualTo(costs.values().stream().mapToLong(Long::longValue).min().orElseThrow());
        long removing = System.nanoTime();

        for (Map.Entry<String, Process> batch : Map.of("scale-first", first, "scale-second", second).entrySet()) {
            assertThat(exited(batch.getValue(), secondEnds)).as("sipp finished").isTrue();
            assertThat(batch.getValue().exitValue()).as("every call ended with its own BYE: %s\n%s",
                    BridgedGateway.read(DIR.resolve(batch.getKey() + ".sipp.log")),
                    BridgedGateway.read(DIR.resolve(batch.getKey() + ".xml.errors"))).isZero();
        }
        Eventually.until("the pod removed gone once its calls ended", Duration.ofSeconds(120),
                () -> !quietly("get", "pods", "-n", "autoscale", "-o", "name").contains(removed),
                () -> quietly("get", "pods", "-n", "autoscale", "-o", "wide"));
        long drained = (System.nanoTime() - removing) / 1_000_000_000L;
        Eventually.until("the 18 calls counted", Duration.ofSeconds(60),
                () -> cluster.totalCalls("-n", "autoscale", "dispatchrule/per-call") == ruleBefore + 18,
                () -> quietly("get", "sip", "-n", "autoscale", "-o", "wide"));
        System.out.printf("ClusterIT: autoscaling on active calls (4 per pod): 1 -> 3 pods %d s after 12 calls were"
                + " up; 3 -> 2 pods %d s after those ended (stabilisation 20 s), removing the pod with the fewest"
                + " calls (deletion costs %s), gone %d s later; none of the 18 calls dropped%n", scaledOut, scaledIn,
                costs, drained);
    }

    /**
     * {@code calls} calls of {@code length} to {@code service}'s rule of a room each, each from a socket of its own so
     * kube-proxy spreads them over the pods; sipp gives up {@link #SIPP_GRACE} after they should have ended.
     */
    private static Process callsFromSockets(String name, String service, int calls, int port, Duration length)
            throws Exception {
        Path scenario = new SippScenario(name).invite("").optional(100).optional(180).expect(200).ack("1")
                .pause((int) length.toMillis()).bye("2").expect(200).write(DIR);
        return outside.start(Sipp.command(scenario, service + ":5060", OUTSIDE, port, ROLLING_NUMBER, "+15550100",
                "-m", String.valueOf(calls), "-l", String.valueOf(calls), "-r", "10", "-t", "un", "-max_socket",
                "100", "-timeout", String.valueOf(length.plus(SIPP_GRACE).toSeconds())), Map.of(),
                DIR.resolve(name + ".sipp.log"));
    }

    /** Waits for a sipp whose calls end at {@code callsEnd} until it has had time to give up on them. */
    private static boolean exited(Process sipp, Instant callsEnd) throws InterruptedException {
        return sipp.waitFor(until(callsEnd).plus(SIPP_GRACE).plus(SIPP_STARTING).toSeconds(), TimeUnit.SECONDS);
    }

    /** The time left until {@code end}; none once it has passed. */
    private static Duration until(Instant end) {
        Duration left = Duration.between(Instant.now(), end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static void activeCalls(String namespace, String gateway, int calls, Duration within) {
        Eventually.until(calls + " calls up", within,
                () -> kubectl("get", "-n", namespace, "sipgateway", gateway, "-o", "jsonpath={.status.activeCalls}")
                        .trim().equals(String.valueOf(calls)),
                () -> quietly("get", "-n", namespace, "sipgateway", gateway, "-o", "yaml"));
    }

    /** Each pod of the scaled gateway's pod-deletion-cost: its active calls as the operator read them. */
    private static Map<String, Long> deletionCosts() throws Exception {
        Map<String, Long> costs = new HashMap<>();
        byPod(".metadata.annotations.controller\\.kubernetes\\.io/pod-deletion-cost", "-n", "autoscale")
                .forEach((pod, cost) -> costs.put(pod, Long.parseLong(cost)));
        return costs;
    }

    /**
     * A field of each pod kubectl picks ({@code which}: a namespace, a selector), by pod name; pods without it are
     * left out.
     */
    private static Map<String, String> byPod(String field, String... which) throws Exception {
        List<String> args = new ArrayList<>(List.of("get", "pods"));
        args.addAll(List.of(which));
        args.addAll(List.of("-o", "jsonpath={range .items[*]}{.metadata.name}={" + field + "} {end}"));
        Map<String, String> values = new HashMap<>();
        for (String pod : kubectl(args.toArray(String[]::new)).trim().split(" ")) {
            String[] nameAndValue = pod.split("=", 2);
            if (nameAndValue.length == 2 && !nameAndValue[1].isEmpty()) {
                values.put(nameAndValue[0], nameAndValue[1]);
            }
        }
        return values;
    }

    /** What the gateway pods are made to go through while calls are up; the pods it makes leave. */
    @FunctionalInterface
    private interface Disruption {
        List<String> apply(List<String> gatewayPods) throws Exception;
    }

    /** Seconds until the disruption was done and until the pods it removed were gone; requests relayed meanwhile. */
    private record Survived(long disrupted, long gone, long relayed) {
    }

    /**
     * {@code calls} calls of 45 s through the gateway Service, each from a socket of its own so kube-proxy spreads
     * them over the pods; once all are up, {@code disruption}. Every call must end with its own BYE answered 200
     * (none with 481 or a timeout), the pods it removed must leave once their calls ended, and the calls must be
     * counted. When a pod leaves the Service, kube-proxy forgets its UDP flows, so its callers' BYEs reach another
     * pod, which relays them to the pod that holds the call. {@code madeDuring} more calls are made by the
     * disruption itself, and counted too.
     */
    private Survived callsSurvive(String name, int calls, int port, int madeDuring, Disruption disruption)
            throws Exception {
        String service = cluster.clusterIp("default", "edge-sip");
        List<String> before = gatewayPods("metadata.name");
        long ruleBefore = cluster.totalCalls("dispatchrule/per-call");
        Map<String, Long> relayedBefore = relayedByPod();
        Duration length = Duration.ofSeconds(45);
        Process sipp = callsFromSockets(name, service, calls, port, length);
        activeCalls("default", "edge", calls, Duration.ofSeconds(60));
        long started = System.nanoTime();
        List<String> leaving = disruption.apply(before);
        long disrupted = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(sipp.waitFor(length.plus(SIPP_GRACE).toSeconds(), TimeUnit.SECONDS))
                .as("sipp finished").isTrue();
        assertThat(sipp.exitValue()).as("every call ended with its own BYE: %s\n%s",
                BridgedGateway.read(DIR.resolve(name + ".sipp.log")),
                BridgedGateway.read(DIR.resolve(name + ".xml.errors"))).isZero();
        Eventually.until("the pods gone once their calls ended", Duration.ofSeconds(120),
                () -> leaving.stream().noneMatch(pod -> quietly("get", "pods", "-o", "name").contains(pod)),
                () -> quietly("get", "pods", "-o", "wide"));
        long gone = (System.nanoTime() - started) / 1_000_000_000L;
        long relayed = relayedSince(relayedBefore);
        long expected = ruleBefore + calls + madeDuring;
        Eventually.until("the calls counted", Duration.ofSeconds(180),
                () -> cluster.totalCalls("dispatchrule/per-call") >= expected,
                () -> quietly("get", "sip", "-o", "wide"));
        assertThat(cluster.totalCalls("dispatchrule/per-call")).as("each call counted once").isEqualTo(expected);
        return new Survived(disrupted, gone, relayed);
    }

    /** Requests each gateway pod now running has relayed to the pod holding their call, by pod name. */
    private static Map<String, Long> relayedByPod() throws Exception {
        Map<String, Long> relayed = new HashMap<>();
        for (Map.Entry<String, String> pod : byPod(".status.podIP", "-l", "app.kubernetes.io/component=gateway")
                .entrySet()) {
            relayed.put(pod.getKey(), BridgedGateway.metric(outside, DIR, pod.getValue(),
                    "dialtone_gateway_sip_relayed_total", "what=\"request\""));
        }
        return relayed;
    }

    /** Requests relayed since {@code before}, by the pods running now (a pod that left took its count along). */
    private static long relayedSince(Map<String, Long> before) throws Exception {
        return relayedByPod().entrySet().stream()
                .mapToLong(pod -> pod.getValue() - before.getOrDefault(pod.getKey(), 0L)).sum();
    }

    /**
     * The node's lease has been renewed since {@code restarted}, the node is Ready and the operator and gateways
     * are available again, before the next scenario starts.
     */
    private static void nodeBackAfter(Instant restarted) {
        Eventually.until("the node's lease renewed and the node Ready", Duration.ofSeconds(120), () -> {
            String renewed = kubectl("get", "lease", "-n", "kube-node-lease", "-o",
                    "jsonpath={.items[0].spec.renewTime}").trim();
            return !renewed.isEmpty() && Instant.parse(renewed).isAfter(restarted)
                    && kubectl("get", "nodes", "-o", "jsonpath={.items[0].status.conditions[?(@.type==\"Ready\")]"
                    + ".status}").trim().equals("True");
        }, () -> quietly("get", "nodes", "-o", "wide") + quietly("get", "lease", "-n", "kube-node-lease", "-o",
                "yaml"));
        try {
            kubectl("rollout", "status", "-n", "dialtone-system", "deployment/dialtone-operator", "--timeout=180s");
            kubectl("rollout", "status", "deployment/edge-gateway", "--timeout=180s");
        } catch (Exception e) {
            throw new AssertionError("the operator and the gateways available again", e);
        }
    }

    /** A field of every gateway pod, e.g. metadata.name or status.podIP. */
    private static List<String> gatewayPods(String field) throws Exception {
        return List.of(kubectl("get", "pods", "-l", "app.kubernetes.io/component=gateway", "-o",
                "jsonpath={.items[*]." + field + "}").trim().split(" "));
    }


    private static String kubectl(String... args) throws Exception {
        return cluster.kubectl(args);
    }

    private static String quietly(String... args) {
        return cluster.quietly(args);
    }

    private static String script(long seconds, String script, String... args) throws Exception {
        return cluster.script(seconds, script, args);
    }

    private static String run(long seconds, String... command) throws Exception {
        return cluster.run(seconds, command);
    }

    private static Path write(String name, String text) throws Exception {
        return cluster.write(name, text);
    }
}
