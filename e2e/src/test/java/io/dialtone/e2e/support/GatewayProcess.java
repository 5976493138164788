package io.dialtone.e2e.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The gateway as users run it (java -jar dialtone-gateway.jar gateway ...), on loopback ports of its own. */
public final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int sipPort;
    private final int adminPort;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The bearer token its /stats asks for, as the operator sends it; none for a standalone gateway. */
    private final java.util.Optional<String> statsToken;

    private GatewayProcess(Process process, Path log, int sipPort, int adminPort,
                           java.util.Optional<String> statsToken) {
        this.process = process;
        this.statsToken = statsToken;
        this.log = log;
        this.sipPort = sipPort;
        this.adminPort = adminPort;
    }

    public static GatewayProcess start(Path config, Path workDir, String... extraArgs) throws Exception {
        return startOn("127.0.0.1", config, workDir, extraArgs);
    }

    /** The gateway with its SIP listeners on {@code bind}, e.g. ::1; the admin port stays on 127.0.0.1. */
    public static GatewayProcess startOn(String bind, Path config, Path workDir, String... extraArgs)
            throws Exception {
        return launch(List.of("--config", config.toString()), Map.of(), Ports.free(), workDir, bind, extraArgs);
    }

    /**
     * The gateway as a pod runs it: routing from the operator's Secret through the API server of {@code kubeconfig},
     * and the pod identity the downward API would give it.
     */
    public static GatewayProcess startAsPod(Path kubeconfig, String namespace, String routingSecret, String podName,
                                            String podUid, int adminPort, Path workDir, Map<String, String> podEnv,
                                            String... extraArgs)
            throws Exception {
        Map<String, String> environment = new java.util.HashMap<>(podEnv);
        environment.putAll(Map.of("KUBECONFIG", kubeconfig.toString(), "POD_NAME", podName, "POD_UID", podUid));
        List<String> source = new java.util.ArrayList<>(List.of("--routing-secret", routingSecret, "--namespace",
                namespace));
        if (!List.of(extraArgs).contains("--advertise-file")) {
            source.addAll(List.of("--advertise", "127.0.0.1"));
        }
        return launch(source, environment, adminPort, workDir, "127.0.0.1", extraArgs);
    }

    private static GatewayProcess launch(List<String> source, Map<String, String> environment, int adminPort,
                                         Path workDir, String bind, String... extraArgs) throws Exception {
        Files.createDirectories(workDir);
        Path jar = Toolchain.root().resolve("gateway/target/dialtone-gateway.jar");
        int sipPort = Ports.free();
        Path log = workDir.resolve("gateway.log");
        List<String> command = new java.util.ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-jar", jar.toString(),
                "gateway"));
        command.addAll(source);
        // Signalling only: the Python client that is the audio tests' room takes no candidates on loopback, so the
        // audio bridge is tested in a network namespace of its own (RoomAudioIT, BridgedGateway).
        command.addAll(List.of("--bind", bind, "--sip-port", String.valueOf(sipPort),
                "--admin-bind", "127.0.0.1", "--admin-port", String.valueOf(adminPort), "--no-bridge-audio"));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        GatewayProcess gateway = new GatewayProcess(builder.start(), log, sipPort, adminPort, statsToken(environment));
        gateway.awaitReady(Duration.ofSeconds(30));
        return gateway;
    }

    /** The token the operator would send to this gateway's /stats: given in the environment, or in its file. */
    private static java.util.Optional<String> statsToken(Map<String, String> environment) throws IOException {
        String file = environment.get(io.dialtone.stats.StatsDocument.TOKEN_FILE_ENV);
        if (file != null) {
            return java.util.Optional.of(Files.readString(Path.of(file)).strip());
        }
        return java.util.Optional.ofNullable(environment.get(io.dialtone.stats.StatsDocument.TOKEN_ENV));
    }

    private void awaitReady(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the admin port is not open yet
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("gateway not ready within " + timeout + ":\n" + log());
    }

    /** A GET on the admin port, with the stats token when the gateway has one. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path));
        statsToken.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET on the admin port without any token, as a stranger would send it. */
    public HttpResponse<String> getWithoutToken(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for a line of the gateway's log; lines are written after the SIP message they describe is sent. */
    public void awaitLog(String text, Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (!log().contains(text)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no '" + text + "' in the gateway log within " + timeout + ":\n" + log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
    }

    /** The sum of a metric's samples in /metrics, over every label set. */
    public double metric(String name) throws IOException, InterruptedException {
        return metric(name, "");
    }

    /** The sum of a metric's samples in /metrics whose labels contain {@code label}, e.g. {@code why="full"}. */
    public double metric(String name, String label) throws IOException, InterruptedException {
        return PrometheusText.sum(get("/metrics").body(), name, label);
    }

    /** The gateway's heap in use after a full collection (jcmd GC.run), in bytes: what it really holds. */
    public long heapAfterFullGc() throws IOException, InterruptedException {
        String pid = String.valueOf(process.pid());
        Processes.run(List.of("jcmd", pid, "GC.run"), log.getParent(), 30);
        String info = Processes.run(List.of("jcmd", pid, "GC.heap_info"), log.getParent(), 30).out();
        // One line for G1's heap; one per generation for the serial collector's.
        java.util.regex.Matcher used = java.util.regex.Pattern
                .compile("(?:heap|generation)\\s+total \\d+K, used (\\d+)K").matcher(info);
        long kib = 0;
        boolean found = false;
        while (used.find()) {
            kib += Long.parseLong(used.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("no heap figures in jcmd GC.heap_info:\n" + info);
        }
        return kib * 1024;
    }

    /** The gateway JVM's threads now, as the kernel counts them. */
    public long threads() throws IOException {
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            return tasks.count();
        }
    }

    public int sipPort() {
        return sipPort;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM, as the kubelet sends it to a deleted pod, without waiting; {@link #exited} says when it ends. */
    public void signalTerm() {
        process.destroy();
    }

    public java.util.concurrent.CompletableFuture<Process> exited() {
        return process.onExit();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, as Kubernetes stops a pod; returns the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate(Duration.ofSeconds(10));
        }
    }
}
