package io.dialtone.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * livekit-server --dev and a standalone gateway with the audio bridge, on the two ends of a veth pair in a network
 * namespace of the test's own: LiveKit's Python client ignores loopback, and tests may not use the machine's own
 * address. The
 * gateway reaches LiveKit's HTTP and signalling port through a TCP proxy that can cut its connections
 * ({@link #cutSignalling()}); media goes to LiveKit directly.
 */
public final class BridgedGateway implements AutoCloseable {
    public static final String LIVEKIT = "10.201.0.1";
    public static final String GATEWAY = "10.201.0.2";

    private final Path dir;
    private final NetworkNamespace namespace;
    private final Process gateway;
    private final Process proxy;

    private BridgedGateway(Path dir, NetworkNamespace namespace, Process gateway, Process proxy) {
        this.dir = dir;
        this.namespace = namespace;
        this.gateway = gateway;
        this.proxy = proxy;
    }

    /**
     * @param media    the SipGateway's spec.media besides bridgeAudio, e.g. {@code rtpPortRange: {min: 20000, max: 20100}}
     * @param routing  SipTrunk and DispatchRule documents
     * @param jvm      extra options of the gateway's JVM
     */
    public static BridgedGateway start(Path dir, String media, String routing, List<String> jvm) throws Exception {
        Files.createDirectories(dir);
        // Named after this JVM, so two test runs on one machine never share (or delete) each other's namespace.
        NetworkNamespace namespace = NetworkNamespace.create("dtm" + ProcessHandle.current().pid() % 100000, LIVEKIT,
                GATEWAY);
        try {
            startLiveKit(namespace, dir, LIVEKIT);
            Process proxy = namespace.start(List.of(Toolchain.python().toString(),
                    Toolchain.root().resolve("e2e/src/test/resources/media/signal_proxy.py").toString(), LIVEKIT, "7890",
                    LIVEKIT, "7880"), Map.of(), dir.resolve("signal-proxy.log"));
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, """
                    apiVersion: dialtone.io/v1alpha1
                    kind: SipGateway
                    metadata: {name: media}
                    spec:
                      livekit: {url: "http://%s:7890", apiKey: devkey, apiSecret: secret}
                      sip: {port: 5060}
                      media: {%s, bridgeAudio: true}
                    ---
                    """.formatted(LIVEKIT, media) + routing);
            List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
            command.addAll(jvm);
            // dialtone.gateway.jar: another build of the gateway, for benchmarks that compare two side by side.
            String jar = System.getProperty("dialtone.gateway.jar",
                    Toolchain.root().resolve("gateway/target/dialtone-gateway.jar").toString());
            command.addAll(List.of("-jar", jar,
                    "gateway", "--config", config.toString(), "--bind", GATEWAY, "--advertise", GATEWAY,
                    "--admin-bind", GATEWAY, "--admin-port", "8080"));
            Process gateway = namespace.start(command, Map.of(), dir.resolve("gateway.log"));
            BridgedGateway started = new BridgedGateway(dir, namespace, gateway, proxy);
            Eventually.until("the gateway and LiveKit answering in the namespace", Duration.ofSeconds(60),
                    () -> started.answers("http://" + GATEWAY + ":8080/readyz")
                            && started.answers("http://" + LIVEKIT + ":7890/"),
                    () -> read(dir.resolve("gateway.log")) + read(dir.resolve("livekit-server.log")));
            return started;
        } catch (Exception e) {
            namespace.close();
            throw e;
        }
    }

    /**
     * Starts {@code livekit-server --dev} inside {@code namespace} on {@code address} (signalling on 7880, media on
     * UDP 50000-52000 of that address only), its log in {@code dir}.
     */
    public static Process startLiveKit(NetworkNamespace namespace, Path dir, String address) throws Exception {
        return startLiveKit(namespace, dir, address, "", true);
    }

    /**
     * As {@link #startLiveKit(NetworkNamespace, Path, String)}, with more lines of configuration (Redis, keys, a
     * webhook), and in dev mode (its devkey/secret) only when {@code dev}.
     */
    public static Process startLiveKit(NetworkNamespace namespace, Path dir, String address, String moreConfig,
                                       boolean dev) throws Exception {
        Path config = dir.resolve("livekit.yaml");
        Files.writeString(config, """
                port: 7880
                bind_addresses: ["%s"]
                rtc: {tcp_port: 7881, port_range_start: 50000, port_range_end: 52000, use_external_ip: false, node_ip: %s}
                """.formatted(address, address) + moreConfig);
        List<String> command = new ArrayList<>(List.of(Toolchain.livekitServer().toString()));
        if (dev) {
            command.add("--dev");
        }
        command.addAll(List.of("--config", config.toString()));
        return namespace.start(command, Map.of(), dir.resolve("livekit-server.log"));
    }

    /** Whether an HTTP GET of {@code url} from inside {@code namespace} succeeds (the toolchain's Python). */
    public static boolean answers(NetworkNamespace namespace, Path dir, String url) throws Exception {
        return namespace.run(List.of(Toolchain.python().toString(), "-c",
                "import urllib.request; urllib.request.urlopen('" + url + "', timeout=2)"), dir, 10).exitCode() == 0;
    }

    /**
     * {@link PrometheusText#sum} of a gateway's {@code /metrics} on port 8080, scraped from inside {@code namespace}.
     */
    public static long metric(NetworkNamespace namespace, Path dir, String address, String name, String label)
            throws Exception {
        return Math.round(PrometheusText.sum(get(namespace, dir, "http://" + address + ":8080/metrics"), name, label));
    }

    /** The body of an HTTP GET of {@code url} from inside {@code namespace} (the toolchain's Python). */
    public static String get(NetworkNamespace namespace, Path dir, String url) throws Exception {
        return namespace.run(List.of(Toolchain.python().toString(), "-c",
                "import urllib.request; print(urllib.request.urlopen('" + url + "', timeout=5).read().decode())"),
                dir, 20).out();
    }

    /** Cuts every connection between the gateway and LiveKit's signalling port, as a network fault would. */
    public void cutSignalling() throws Exception {
        Processes.Result killed = Processes.run(List.of("kill", "-USR1", String.valueOf(proxy.pid())), dir, 10);
        if (killed.exitCode() != 0) {
            throw new IllegalStateException("could not signal the proxy: " + killed.err());
        }
    }

    public NetworkNamespace namespace() {
        return namespace;
    }

    /** The gateway's JVM (ip netns exec and env exec into it, so this is java itself). */
    public Process gateway() {
        return gateway;
    }

    public String gatewayLog() {
        return read(dir.resolve("gateway.log"));
    }

    public String livekitUrl() {
        return "ws://" + LIVEKIT + ":7880";
    }

    /** An HTTP GET from inside the namespace, with the toolchain's Python. */
    public boolean answers(String url) throws Exception {
        return answers(namespace, dir, url);
    }

    /** A file's text, or a note saying why it could not be read (for failure messages). */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        namespace.close();
    }
}
