package io.dialtone.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real one-node cluster of scripts/cluster.sh with Dialtone's images built here (scripts/build-images.sh) and
 * loaded into its node, and kubectl against it. Closing it keeps every pod's log beside the test's other logs and
 * takes the cluster down, unless DIALTONE_KEEP_CLUSTER is set.
 */
public final class OneNodeCluster implements AutoCloseable {
    private final Path dir;
    private final Path kubeconfig;
    private final List<String> namespaces;

    private OneNodeCluster(Path dir, Path kubeconfig, List<String> namespaces) {
        this.dir = dir;
        this.kubeconfig = kubeconfig;
        this.namespaces = namespaces;
    }

    /**
     * @param tag        the tag the operator and gateway images get
     * @param namespaces whose pods' logs to keep when the cluster goes
     */
    public static OneNodeCluster up(Path dir, String tag, String... namespaces) throws Exception {
        Files.createDirectories(dir);
        script(dir, 600, "scripts/cluster.sh", "up");
        Path kubeconfig = Path.of(script(dir, 10, "scripts/cluster.sh", "kubeconfig").trim());
        OneNodeCluster cluster = new OneNodeCluster(dir, kubeconfig, List.of(namespaces));
        try {
            script(dir, 1200, "scripts/build-images.sh", "--tag", tag);
            script(dir, 300, "scripts/cluster.sh", "load", "dialtone/operator:" + tag, "dialtone/gateway:" + tag);
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** kubectl's output, failing on a non-zero exit; in namespace default unless the arguments name one. */
    public String kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Toolchain.kubectl().toString(), "--kubeconfig",
                kubeconfig.toString()));
        if (!List.of(args).contains("-n")) {
            command.addAll(List.of("-n", "default"));
        }
        command.addAll(List.of(args));
        return run(120, command.toArray(String[]::new));
    }

    /** kubectl's output, or why there is none, for a failure message. */
    public String quietly(String... args) {
        try {
            return kubectl(args);
        } catch (Exception | AssertionError e) {
            return e.getMessage();
        }
    }

    /** A Service's cluster IP, where calls from outside the cluster go. */
    public String clusterIp(String namespace, String service) throws Exception {
        return kubectl("get", "service", "-n", namespace, service, "-o", "jsonpath={.spec.clusterIP}").trim();
    }

    /** A resource's status.totalCalls (kubectl's arguments, e.g. a namespace first); 0 before its first call. */
    public long totalCalls(String... resource) throws Exception {
        List<String> args = new ArrayList<>(List.of("get"));
        args.addAll(List.of(resource));
        args.addAll(List.of("-o", "jsonpath={.status.totalCalls}"));
        String total = kubectl(args.toArray(String[]::new)).trim();
        return total.isEmpty() ? 0 : Long.parseLong(total);
    }

    /** One of the project's scripts, failing on a non-zero exit. */
    public String script(long seconds, String script, String... args) throws Exception {
        return script(dir, seconds, script, args);
    }

    /** A command's output, failing on a non-zero exit. */
    public String run(long seconds, String... command) throws Exception {
        return run(dir, seconds, command);
    }

    /** A file in the test's directory, e.g. YAML to apply. */
    public Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Override
    public void close() throws Exception {
        keepPodLogs();
        if (System.getenv("DIALTONE_KEEP_CLUSTER") == null) {
            Processes.Result down = Processes.run(List.of(Toolchain.root().resolve("scripts/cluster.sh").toString(),
                    "down"), dir, 300);
            Files.writeString(dir.resolve("cluster-down.log"), down.out() + down.err());
        }
    }

    private void keepPodLogs() {
        for (String namespace : namespaces) {
            for (String pod : quietly("get", "pods", "-n", namespace, "-o", "name").lines().toList()) {
                if (pod.startsWith("pod/")) {
                    String log = quietly("logs", "-n", namespace, pod, "--all-containers", "--tail=2000");
                    try {
                        write(namespace + "-" + pod.substring(4) + ".log", log);
                    } catch (IOException e) {
                        System.err.println("could not keep the log of " + pod + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private static String script(Path dir, long seconds, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Toolchain.root().resolve(script).toString()));
        command.addAll(List.of(args));
        return run(dir, seconds, command.toArray(String[]::new));
    }

    private static String run(Path dir, long seconds, String... command) throws Exception {
        Processes.Result result = Processes.run(List.of(command), dir, seconds);
        assertThat(result.exitCode()).as("%s:\n%s%s", String.join(" ", command), result.out(), result.err()).isZero();
        return result.out();
    }
}
