package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.DockerEngine;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Toolchain;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Dialtone inside a real cluster: the images built from images/*, loaded into k3s, the chart installed with helm,
 * a LiveKit dev server as a pod, the quickstart applied, and a call placed with sipp over SIP/TCP through a
 * NodePort into the gateway pod. Needs a Docker engine that can pull k3s, LiveKit and the JRE base image; skips
 * with one line saying which is missing where it cannot.
 */
class K3sClusterIT {
    private static final Path DIR = Path.of("target", "k3s-cluster-it").toAbsolutePath();
    private static final DockerImageName K3S = DockerImageName.parse("rancher/k3s:v1.33.5-k3s1");
    private static final String LIVEKIT_IMAGE = "livekit/livekit-server:v1.13.5";
    private static final String TAG = "k3s-test";
    private static final int SIP_NODE_PORT = 30060;

    @Test
    void aCallReachesTheGatewayPodInK3s() throws Exception {
        if (!DockerEngine.available()) {
            String reason = "K3sClusterIT skipped: no Docker engine here (" + DockerEngine.describe()
                    + "); the k3s in-cluster test runs where one does";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
        String missing = DockerEngine.missingImages(List.of(K3S.asCanonicalNameString(), LIVEKIT_IMAGE,
                "eclipse-temurin:17.0.17_10-jre-noble"));
        if (missing != null) {
            String reason = "K3sClusterIT skipped: " + missing + "; it runs where those images can be pulled";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
        Files.createDirectories(DIR);
        buildImage("operator");
        buildImage("gateway");
        try (K3sContainer k3s = new K3sContainer(K3S)) {
            k3s.addExposedPort(SIP_NODE_PORT);
            k3s.start();
            Path kubeconfig = DIR.resolve("kubeconfig");
            Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
            loadImage(k3s, "operator");
            loadImage(k3s, "gateway");

            run(kubeconfig, 120, Toolchain.helm().toString(), "install", "dialtone",
                    Toolchain.root().resolve("charts/dialtone").toString(), "--namespace", "dialtone-system",
                    "--create-namespace", "--set", "image.registry=dialtone", "--set", "image.tag=" + TAG,
                    "--set", "image.pullPolicy=Never", "--wait", "--timeout", "5m");
            kubectl(kubeconfig, "apply", "-f", write("livekit.yaml", livekit()).toString());
            kubectl(kubeconfig, "rollout", "status", "deployment/livekit", "--timeout=300s");

            kubectl(kubeconfig, "apply", "--server-side", "-f", Toolchain.root().resolve("examples/quickstart").toString());
            // In the cluster LiveKit is a Service, not 127.0.0.1; and the test reaches the pods through a NodePort.
            kubectl(kubeconfig, "patch", "sipgateway", "dialtone", "--type=merge", "-p",
                    "{\"spec\":{\"livekit\":{\"url\":\"http://livekit.default.svc.cluster.local:7880\"}}}");
            kubectl(kubeconfig, "apply", "-f", write("sip-nodeport.yaml", sipNodePort()).toString());
            kubectl(kubeconfig, "rollout", "status", "deployment/dialtone-gateway", "--timeout=300s");
            kubectl(kubeconfig, "wait", "--for=condition=Propagated", "--timeout=120s", "siptrunk/any-caller",
                    "dispatchrule/room-per-caller");

            Processes.Result call = Processes.run(List.of("sipp", "-sf",
                    Toolchain.root().resolve("examples/sipp/call.xml").toString(), "-t", "t1", "-s", "+15550199",
                    "-d", "2000", "-m", "1", "-timeout", "60", "-nostdin", "-i", "127.0.0.1",
                    "127.0.0.1:" + k3s.getMappedPort(SIP_NODE_PORT)), DIR, 90);
            assertThat(call.exitCode()).as("sipp:%n%s%s", call.out(), call.err()).isZero();
            Eventually.until("the call counted on the trunk's status", Duration.ofSeconds(60),
                    () -> "1".equals(kubectl(kubeconfig, "get", "siptrunk", "any-caller", "-o",
                            "jsonpath={.status.totalCalls}")), () -> describe(kubeconfig));
        }
    }

    private static void buildImage(String component) {
        Path root = Toolchain.root();
        Path target = root.resolve(component).resolve("target");
        new ImageFromDockerfile("dialtone/" + component + ":" + TAG, false)
                .withFileFromPath("Dockerfile", root.resolve("images").resolve(component).resolve("Dockerfile"))
                .withFileFromPath(component + "/target/lib", target.resolve("lib"))
                .withFileFromPath(component + "/target/dialtone-" + component + ".jar",
                        target.resolve("dialtone-" + component + ".jar"))
                .get();
    }

    /** k3s runs containerd, not the Docker engine: the image goes over as a tar and is imported. */
    private static void loadImage(K3sContainer k3s, String component) throws Exception {
        String image = "dialtone/" + component + ":" + TAG;
        Path tar = DIR.resolve(component + ".tar");
        try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
            Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/" + component + ".tar");
        Container.ExecResult imported = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import",
                "/tmp/" + component + ".tar");
        assertThat(imported.getExitCode()).as("ctr images import %s: %s", image, imported.getStderr()).isZero();
    }

    private static String livekit() {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: livekit, namespace: default}
                spec:
                  selector: {matchLabels: {app: livekit}}
                  template:
                    metadata: {labels: {app: livekit}}
                    spec:
                      containers:
                        - name: livekit
                          image: %s
                          args: [--dev, --bind, 0.0.0.0]
                          ports: [{containerPort: 7880}]
                          readinessProbe: {httpGet: {path: /, port: 7880}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: livekit, namespace: default}
                spec:
                  selector: {app: livekit}
                  ports: [{port: 7880, targetPort: 7880}]
                """.formatted(LIVEKIT_IMAGE);
    }

    private static String sipNodePort() {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: sip-test, namespace: default}
                spec:
                  type: NodePort
                  selector: {app.kubernetes.io/instance: dialtone, app.kubernetes.io/component: gateway}
                  ports: [{name: sip-tcp, protocol: TCP, port: 5060, targetPort: 5060, nodePort: %d}]
                """.formatted(SIP_NODE_PORT);
    }

    private static String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Toolchain.kubectl().toString()));
        command.addAll(List.of(args));
        return run(kubeconfig, 330, command.toArray(String[]::new));
    }

    private static String run(Path kubeconfig, long seconds, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        Processes.Result result = Processes.await(builder.start(), seconds);
        assertThat(result.exitCode()).as("%s:%n%s%s", String.join(" ", command), result.out(), result.err()).isZero();
        return result.out();
    }

    private static String describe(Path kubeconfig) {
        try {
            return kubectl(kubeconfig, "get", "sip,pods,svc", "-A", "-o", "wide")
                    + kubectl(kubeconfig, "logs", "deployment/dialtone-gateway", "--tail=50")
                    + kubectl(kubeconfig, "logs", "-n", "dialtone-system", "deployment/dialtone-operator", "--tail=50");
        } catch (Exception | AssertionError e) {
            return "(could not describe the cluster: " + e.getMessage() + ")";
        }
    }

    private static Path write(String name, String content) throws IOException {
        Path file = DIR.resolve(name);
        Files.writeString(file, content);
        return file;
    }
}
