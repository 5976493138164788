package io.dialtone.e2e.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real livekit-server in dev mode on 127.0.0.1 with ports of its own, for one test class. Its log goes to a file
 * under target/ so a failure can be read afterwards.
 */
public final class LiveKitServer implements AutoCloseable {
    public static final String API_KEY = "devkey";
    public static final String API_SECRET = "secret";

    private final Process process;
    private final int httpPort;
    private final Path log;

    private LiveKitServer(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    public static LiveKitServer start(Path workDir) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        int http = Ports.free();
        int tcp = Ports.free();
        int udpStart = 40000 + (http % 1000) * 20;
        Path config = workDir.resolve("livekit.yaml");
        Files.writeString(config, """
                port: %d
                bind_addresses: ["127.0.0.1"]
                rtc:
                  tcp_port: %d
                  port_range_start: %d
                  port_range_end: %d
                  use_external_ip: false
                  node_ip: 127.0.0.1
                logging:
                  level: info
                """.formatted(http, tcp, udpStart, udpStart + 19));
        Path log = workDir.resolve("livekit-server.log");
        Process process = new ProcessBuilder(Toolchain.livekitServer().toString(), "--dev", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LiveKitServer server = new LiveKitServer(process, http, log);
        server.awaitListening(Duration.ofSeconds(30));
        return server;
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("livekit-server exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 200);
                return;
            } catch (IOException notYet) {
                // not listening yet: wait on the process below, which also notices an early exit
            }
            process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        close();
        throw new IllegalStateException("livekit-server did not listen on 127.0.0.1:" + httpPort + " within " + timeout
                + ":\n" + Files.readString(log));
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
