package io.dialtone.e2e.support;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver with etcd, from the binaries scripts/install-test-tools.sh laid out, plus the pinned
 * kubectl pointed at it. Offline mode is set here in code: kube-api-test never downloads anything.
 */
public final class KubeApi implements AutoCloseable {
    private final KubeAPIServer server;
    private final Path kubeconfig;
    private Process garbageCollector;

    private KubeApi(KubeAPIServer server, Path kubeconfig) {
        this.server = server;
        this.kubeconfig = kubeconfig;
    }

    public static KubeApi start(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(Toolchain.kubeApiTestDir().toString())
                .withApiServerVersion(Toolchain.kubernetesVersion())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000)
                .build());
        server.start();
        Path kubeconfig = workDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, server.getKubeConfigYaml());
        return new KubeApi(server, kubeconfig);
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public String kubeconfigYaml() throws IOException {
        return Files.readString(kubeconfig);
    }

    /** A client of this API server, as the kubeconfig gives it. */
    public KubernetesClient client() throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml())).build();
    }

    /** Applies the CRDs in {@code directory} server-side and waits until all three are served. */
    public void installCrds(Path directory) throws IOException, InterruptedException {
        kubectlOk(null, "apply", "--server-side", "-f", directory.toString());
        kubectlOk(null, "wait", "--for=condition=Established", "--timeout=60s", "crd/sipgateways.dialtone.io",
                "crd/siptrunks.dialtone.io", "crd/dispatchrules.dialtone.io");
    }

    /**
     * Starts kube-controller-manager with only its garbage collector, which deletes what owner references leave
     * behind. kube-api-test runs no controllers of its own.
     */
    public void startGarbageCollector(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        garbageCollector = new ProcessBuilder(Toolchain.kubeControllerManager().toString(),
                "--kubeconfig=" + kubeconfig, "--controllers=garbage-collector-controller", "--leader-elect=false",
                "--secure-port=0", "--use-service-account-credentials=false")
                .redirectErrorStream(true).redirectOutput(workDir.resolve("kube-controller-manager.log").toFile()).start();
    }

    /** Runs kubectl against this server; {@code stdin} may be null. */
    public Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
        return kubectl(stdin, 60, args);
    }

    public Result kubectl(String stdin, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Toolchain.kubectl().toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within "
                    + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    /** Like {@link #kubectl} but fails with kubectl's own words when it does not succeed. */
    public String kubectlOk(String stdin, String... args) throws IOException, InterruptedException {
        Result result = kubectl(stdin, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " failed (" + result.exitCode() + "):\n"
                    + result.err() + result.out());
        }
        return result.out();
    }

    private static String read(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (garbageCollector != null) {
            garbageCollector.destroy();
        }
        server.stop();
    }

    public record Result(int exitCode, String out, String err) {
    }
}
