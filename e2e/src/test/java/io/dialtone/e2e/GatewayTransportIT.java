package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Closer;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a TCP or TLS connection may cost the standalone gateway (docs/security.md, "SIP messages"): a message's size,
 * a connection's silence, how many connections a stranger or a trunk's own address can hold, and what TLS offers.
 * The trunk admits 127.0.0.1 only; strangers connect from other loopback addresses.
 */
class GatewayTransportIT {
    private static final Path DIR = Path.of("target", "gateway-transport-it").toAbsolutePath();
    private static final int IDLE_SECONDS = 6;
    private static final int MAX_PER_SOURCE = 8;
    /** As many idle connections as the hardening targets name: 2,000 over TCP and 500 over TLS. */
    private static final int TCP_CONNECTIONS = 2000;
    private static final int TLS_CONNECTIONS = 500;
    private static final String REFUSED = "dialtone_gateway_sip_connections_refused_total";
    private static LiveKitServer livekit;
    private static GatewayProcess gateway;
    private static int tlsPort;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        livekit = LiveKitServer.start(DIR.resolve("livekit"));
        Processes.Result cert = Processes.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"), DIR, 60);
        assertThat(cert.exitCode()).as(cert.err()).isZero();
        tlsPort = Ports.free();
        Path config = DIR.resolve("gateway.yaml");
        Files.writeString(config, Documents.join(
                Documents.gateway("transport", livekit.httpUrl().replace("http://", "ws://"), 33000,
                        "transports: [udp, tcp, tls], tls: {port: " + tlsPort + ", certificateFile: "
                                + DIR.resolve("cert.pem") + ", privateKeyFile: " + DIR.resolve("key.pem") + "}, "
                                + "connections: {idleTimeout: " + IDLE_SECONDS + "s, max: 64, maxPerSource: "
                                + MAX_PER_SOURCE + "}"),
                Documents.trunk("carrier", "numbers: ['+15550199'], allowedAddresses: [127.0.0.1]"),
                Documents.rule("per-caller", """
                          trunkRefs: [carrier]
                          individual: {roomPrefix: sip-call-}
                        """)));
        gateway = GatewayProcess.start(config, DIR.resolve("gateway"));
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.close(gateway, livekit);
    }

    /**
     * 2,000 TCP and 500 TLS connections from addresses no trunk admits, all open at once on the client's side: each is
     * closed as it arrives, before any handshake, and the gateway's threads do not grow.
     */
    @Test
    void connectionsFromStrangersAreClosedAsTheyArriveAndCostNoThreads() throws Exception {
        long threadsBefore = gateway.threads();
        double refusedBefore = gateway.metric(REFUSED, "\"unknown_source\"");
        List<Socket> sockets = new ArrayList<>();
        try {
            sockets.addAll(connect("127.0.0.2", gateway.sipPort(), TCP_CONNECTIONS));
            sockets.addAll(connect("127.0.0.3", tlsPort, TLS_CONNECTIONS));
            long threadsDuring = gateway.threads();
            for (Socket socket : sockets) {
                assertThat(closedWithin(socket, 5000)).as("a stranger's connection is closed").isTrue();
            }
            System.out.printf("threads before %d, with %d strangers' connections %d%n", threadsBefore,
                    sockets.size(), threadsDuring);
            assertThat(threadsDuring - threadsBefore).as("gateway threads grown").isLessThan(50);
        } finally {
            closeAll(sockets);
        }
        assertThat(gateway.metric(REFUSED, "\"unknown_source\"") - refusedBefore)
                .isEqualTo(TCP_CONNECTIONS + TLS_CONNECTIONS);
    }

    /**
     * 2,000 TCP and 500 TLS connections from the trunk's own address: it holds 8 (its per-source cap; the rest are
     * closed as they arrive), and those 8, silent, are closed once the idle timeout has passed.
     */
    @Test
    void aTrunksAddressHoldsItsCapOfConnectionsAndSilentOnesCloseWhenIdle() throws Exception {
        long threadsBefore = gateway.threads();
        double overCapBefore = gateway.metric(REFUSED, "\"source_full\"");
        List<Socket> sockets = new ArrayList<>();
        try {
            long opened = System.nanoTime();
            sockets.addAll(connect("127.0.0.1", gateway.sipPort(), TCP_CONNECTIONS));
            sockets.addAll(connect("127.0.0.1", tlsPort, TLS_CONNECTIONS));
            long threadsDuring = gateway.threads();
            double held = gateway.metric("dialtone_gateway_sip_connections");
            long longestMillis = 0;
            for (Socket socket : sockets) {
                assertThat(closedWithin(socket, (IDLE_SECONDS + 5) * 1000)).as("closed within the idle timeout")
                        .isTrue();
                longestMillis = Math.max(longestMillis, (System.nanoTime() - opened) / 1_000_000);
            }
            System.out.printf("threads before %d, with %d connections from the trunk's address %d (%s held); "
                    + "the last closed %d ms after the first was opened%n", threadsBefore, sockets.size(),
                    threadsDuring, held, longestMillis);
            assertThat(held).as("connections held").isEqualTo(MAX_PER_SOURCE);
            assertThat(threadsDuring - threadsBefore).as("gateway threads grown").isLessThan(50);
            assertThat(longestMillis).as("ms until the last silent connection closed")
                    .isBetween(IDLE_SECONDS * 1000L, (IDLE_SECONDS + 3) * 1000L);
        } finally {
            closeAll(sockets);
        }
        assertThat(gateway.metric(REFUSED, "\"source_full\"") - overCapBefore)
                .isEqualTo(TCP_CONNECTIONS + TLS_CONNECTIONS - MAX_PER_SOURCE);
        assertThat(gateway.metric("dialtone_gateway_sip_connections")).as("connections held afterwards").isZero();
    }

    private static List<Socket> connect(String from, int port, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        }
        return sockets;
    }

    /** Whether the gateway closes {@code socket} (end of stream, or a reset) within {@code millis}. */
    private static boolean closedWithin(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (socket.getInputStream().read() != -1) {
                continue;
            }
            return true;
        } catch (java.net.SocketTimeoutException open) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }


    @Test
    void theTlsListenerAnswersWithTheConfiguredCertificate() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(DIR.resolve("cert.pem"))) {
            trust.setCertificateEntry("gateway", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory trustManagers = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        try (var socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            String options = "OPTIONS sip:127.0.0.1:" + tlsPort + ";transport=tls SIP/2.0\r\n"
                    + "Via: SIP/2.0/TLS 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-tls-1\r\n"
                    + "From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: tls-probe\r\n"
                    + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
            socket.getOutputStream().write(options.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(reader.readLine()).isEqualTo("SIP/2.0 200 OK");
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        try (var legacy = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            legacy.setSoTimeout(5000);
            legacy.setEnabledProtocols(new String[] {"TLSv1.2"});
            legacy.setEnabledCipherSuites(new String[] {"TLS_RSA_WITH_AES_128_GCM_SHA256"});
            org.assertj.core.api.Assertions.assertThatThrownBy(legacy::startHandshake)
                    .as("TLS 1.2 without forward secrecy").isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    /** A TLS client that connects and never says a word is cut off once the handshake timeout (5 s) has passed. */
    @Test
    void aTlsClientThatNeverHandshakesIsCutOff() throws Exception {
        try (java.net.Socket silent = new Socket("127.0.0.1", tlsPort)) {
            silent.setSoTimeout(15_000);
            long started = System.nanoTime();
            try {
                // Whatever the server says on its way out (a TLS alert), then the end of the stream.
                while (silent.getInputStream().read() != -1) {
                    continue;
                }
            } catch (java.net.SocketException reset) {
                // Closed with a reset: closed all the same.
            }
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertThat(waited).as("ms until it closed").isBetween(4000L, 10_000L);
        }
    }

    /**
     * A TCP message announcing a 2 GB body, then one byte: the connection is closed at once (nothing that size is
     * allocated), and the gateway stays healthy.
     */
    @Test
    void aHugeContentLengthClosesTheConnectionInsteadOfFillingTheHeap() throws Exception {
        long heapBefore = gateway.heapAfterFullGc();
        try (java.net.Socket socket = new Socket("127.0.0.1", gateway.sipPort())) {
            socket.setSoTimeout(10_000);
            String invite = "INVITE sip:+15550199@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-huge\r\n"
                    + "From: <sip:+15550100@carrier.example>;tag=1\r\nTo: <sip:+15550199@127.0.0.1>\r\n"
                    + "Call-ID: huge-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 2000000000\r\n\r\nx";
            socket.getOutputStream().write(invite.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            assertThat(read).as("the connection closed, nothing answered").isEqualTo(-1);
        }
        assertThat(gateway.get("/healthz").statusCode()).isEqualTo(200);
        long heapAfter = gateway.heapAfterFullGc();
        System.out.printf("heap after a full collection: %d KiB before, %d KiB after the 2 GB announcement%n",
                heapBefore / 1024, heapAfter / 1024);
        assertThat(heapAfter - heapBefore).as("heap grown, bytes").isLessThan(16L * 1024 * 1024);
    }
}
