package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Closer;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls that ring without an answer, because LiveKit is slow or gone: CANCEL, the trunk's ringing timeout, a LiveKit
 * that refuses connections, and one that never answers (the circuit breaker). The slow LiveKit is a loopback socket
 * that accepts and never replies.
 */
class GatewayFailureIT {
    private static final Path DIR = Path.of("target", "gateway-failure-it").toAbsolutePath();
    private static ServerSocket stalled;
    private static final List<Socket> held = new ArrayList<>();
    private static GatewayProcess slowLiveKit;
    private static GatewayProcess noLiveKit;
    /** Its own gateway in front of the silent LiveKit: the breaker it opens must not change the other tests. */
    private static GatewayProcess silentLiveKit;

    private static String config(String url) {
        return Documents.join(
                Documents.gateway("failures", url, 32000, ""),
                Documents.trunk("patient", "numbers: ['+15550199']"),
                Documents.trunk("impatient", "numbers: ['+15550480'], ringingTimeout: 1s"),
                Documents.rule("lobby", "  direct: {roomName: lobby}"));
    }

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!stalled.isClosed()) {
                try {
                    held.add(stalled.accept());
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        }, "stalled-livekit");
        acceptor.setDaemon(true);
        acceptor.start();
        Path slow = DIR.resolve("slow.yaml");
        Files.writeString(slow, config("http://127.0.0.1:" + stalled.getLocalPort()));
        slowLiveKit = GatewayProcess.start(slow, DIR.resolve("slow"), "--media-timeout", "60s");
        silentLiveKit = GatewayProcess.start(slow, DIR.resolve("silent"), "--media-timeout", "60s",
                "--invites-per-second", "0");
        Path none = DIR.resolve("none.yaml");
        Files.writeString(none, config("http://127.0.0.1:" + Ports.free()));
        noLiveKit = GatewayProcess.start(none, DIR.resolve("none"), "--media-timeout", "60s",
                "--invites-per-second", "0.2");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.close(slowLiveKit, silentLiveKit, noLiveKit, stalled);
        Closer.close(held.toArray(AutoCloseable[]::new));
    }

    private static void assertPassed(GatewayProcess gateway, SippScenario scenario, String number, String... sippArgs)
            throws Exception {
        Path file = scenario.write(DIR.resolve("sipp"));
        Processes.Result result = Sipp.call(file, gateway.sipPort(), number, "+15550100", 15, sippArgs);
        assertThat(result.exitCode()).as("sipp failed:\n%s\ngateway log:\n%s", Sipp.messages(file), gateway.log())
                .isZero();
    }

    @Test
    void cancelWhileRingingIsAnswered487() throws Exception {
        SippScenario scenario = new SippScenario("cancel").invite("").optional(100).expect(180).pause(300).cancel()
                .expect(200).expect(487).ackRejection("1");
        assertPassed(slowLiveKit, scenario, "+15550199");
        slowLiveKit.awaitLog("event=cancelled", java.time.Duration.ofSeconds(5));
    }

    @Test
    void aCallNotAnsweredWithinTheRingingTimeoutGets480() throws Exception {
        SippScenario scenario = new SippScenario("ringing-timeout").invite("").optional(100).expect(180)
                .expect(480, "Reason: SIP;cause=480;text=\"No answer\"").ackRejection("1");
        assertPassed(slowLiveKit, scenario, "+15550480");
        slowLiveKit.awaitLog("reason=ringing_timeout", java.time.Duration.ofSeconds(5));
    }

    @Test
    void aSourceSendingInvitesTooFastGets503TooManyCalls() throws Exception {
        // 0.2 INVITEs per second with a burst of 1, from a source of its own (buckets are per source): the first
        // is routed (and fails on LiveKit), the next is limited.
        SippScenario first = new SippScenario("rate-first").invite("").optional(100).optional(180).expect(503)
                .ackRejection("1");
        SippScenario second = new SippScenario("rate-second").invite("").optional(100)
                .expect(503, "Reason: SIP;cause=503;text=\"Too many calls\"").ackRejection("1");
        Sipp.call(first.write(DIR.resolve("sipp")), noLiveKit.sipPort(), "+15550199", "+15550100", 10,
                "-i", "127.0.0.3");
        assertPassed(noLiveKit, second, "+15550199", "-i", "127.0.0.3");
        noLiveKit.awaitLog("reason=rate_limited", java.time.Duration.ofSeconds(5));
    }

    @Test
    void aLiveKitThatRefusesConnectionsGives503RoomUnavailable() throws Exception {
        SippScenario scenario = new SippScenario("livekit-down").invite("").optional(100).optional(180)
                .expect(503, "Reason: SIP;cause=503;text=\"Room unavailable\"").ackRejection("1");
        assertPassed(noLiveKit, scenario, "+15550199");
        noLiveKit.awaitLog("event=room_failed call=", java.time.Duration.ofSeconds(5));
        assertThat(noLiveKit.log()).contains("room=lobby");
    }

    /**
     * LiveKit accepts connections and never answers: each call gives up on it after 5 s with 503, and once 5 have in
     * a row, the breaker opens and the next calls get 503 at once instead of waiting.
     */
    @Test
    void aLiveKitThatNeverAnswersGives503Within5sThenAtOnce() throws Exception {
        SippScenario scenario = new SippScenario("livekit-silent").invite("").optional(100).optional(180)
                .expect(503, "Reason: SIP;cause=503;text=\"Room unavailable\"").ackRejection("1");
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long started = System.nanoTime();
            assertPassed(silentLiveKit, scenario, "+15550199");
            millis.add((System.nanoTime() - started) / 1_000_000);
        }
        System.out.println("INVITE to 503, sipp's run each, ms: " + millis);
        assertThat(millis.subList(0, 5)).as("waiting on LiveKit, at most its 5 s timeout")
                .allSatisfy(ms -> assertThat(ms).isBetween(4500L, 6500L));
        assertThat(millis.subList(5, 8)).as("the breaker open").allSatisfy(ms -> assertThat(ms).isLessThan(1000L));
        silentLiveKit.awaitLog("event=livekit_breaker_open", java.time.Duration.ofSeconds(5));
        assertThat(silentLiveKit.metric("dialtone_gateway_livekit_breaker_open")).isEqualTo(1.0);
    }
}
