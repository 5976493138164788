package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Closer;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's clocks: calls end by themselves when the caller's RTP stops and at the trunk's maxCallDuration,
 * and a digest nonce older than its lifetime is challenged again with stale=true.
 */
class GatewayTimersIT {
    private static final Path DIR = Path.of("target", "gateway-timers-it").toAbsolutePath();
    private static LiveKitServer livekit;
    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        livekit = LiveKitServer.start(DIR.resolve("livekit"));
        Path config = DIR.resolve("gateway.yaml");
        Files.writeString(config, Documents.join(
                Documents.gateway("timers", livekit.httpUrl(), 33000, "").replace("spec:\n",
                        "spec:\n  maxActiveCallsPerPod: 1\n"),
                Documents.trunk("quiet", "numbers: ['+15550199']"),
                Documents.trunk("short", "numbers: ['+15550111'], maxCallDuration: 1500ms"),
                Documents.trunk("impatient", "numbers: ['+15550122'], media: {timeout: 1s}"),
                Documents.trunk("secure", "numbers: ['+15550300'], auth: {username: pbx, password: s3cret}"),
                Documents.rule("lobby", "  direct: {roomName: lobby}")));
        gateway = GatewayProcess.start(config, DIR.resolve("gateway"), "--media-timeout", "3s",
                "--nonce-lifetime", "1s");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.close(gateway, livekit);
    }

    private static void callEndedByGateway(String name, String number, String why) throws Exception {
        SippScenario scenario = new SippScenario(name).invite("").optional(100).optional(180).expect(200).ack("1")
                .expectRequestAndAnswer("BYE", 10_000);
        Path file = scenario.write(DIR.resolve("sipp"));
        Processes.Result result = Sipp.call(file, gateway.sipPort(), number, "+15550100", 20);
        assertThat(result.exitCode()).as("sipp: %s\ngateway log:\n%s", Sipp.messages(file), gateway.log()).isZero();
        assertThat(Sipp.messages(file)).contains("Reason: SIP;cause=200;text=\"" + why + "\"");
        gateway.awaitLog("why=\"" + why + "\"", Duration.ofSeconds(5));
    }

    @Test
    void aCallerThatSendsNoRtpIsHungUp() throws Exception {
        callEndedByGateway("no-rtp", "+15550199", "no RTP for 3 s");
    }

    @Test
    void aTrunksMediaTimeoutTakesThePlaceOfTheGateways() throws Exception {
        callEndedByGateway("trunk-media-timeout", "+15550122", "no RTP for 1 s");
    }

    /**
     * Session timers (RFC 4028): a caller that asks for 90 s and supports timers refreshes; the 200 says so, and so
     * does the 200 to its UPDATE. An interval below Min-SE gets 422.
     */
    @Test
    void aSessionTimerIsAgreedRefreshedAndATooShortOneRefused() throws Exception {
        SippScenario scenario = new SippScenario("session-timer")
                .invite("Supported: timer\nSession-Expires: 90;refresher=uac\n").optional(100).optional(180)
                .expect(200, "Session-Expires: 90;refresher=uac").ack("1")
                .inDialog("UPDATE", "2", null, null).expect(200, "Session-Expires: 90;refresher=uac")
                .bye("3").expect(200);
        Path file = scenario.write(DIR.resolve("sipp"));
        Processes.Result result = Sipp.call(file, gateway.sipPort(), "+15550199", "+15550100", 20);
        assertThat(result.exitCode()).as("sipp: %s\ngateway log:\n%s", Sipp.messages(file), gateway.log()).isZero();
        assertThat(Sipp.messages(file)).contains("Require: timer");

        SippScenario tooShort = new SippScenario("session-timer-too-short")
                .invite("Supported: timer\nSession-Expires: 30\n").optional(100)
                .expect(422, "Min-SE: 90").ackRejection("1");
        Path refused = tooShort.write(DIR.resolve("sipp"));
        Processes.Result rejected = Sipp.call(refused, gateway.sipPort(), "+15550199", "+15550100", 20);
        assertThat(rejected.exitCode()).as("sipp: %s\ngateway log:\n%s", Sipp.messages(refused), gateway.log())
                .isZero();
        gateway.awaitLog("reason=session_interval_too_small", Duration.ofSeconds(5));
    }

    @Test
    void aStaleNonceIsChallengedAgainAndTheFreshOneOpensTheTrunk() throws Exception {
        SippScenario scenario = new SippScenario("stale-nonce").invite("").optional(100).expect(407).ackRejection("1")
                .pause(1500).inviteWithCredentials("2", "pbx", "s3cret").optional(100)
                .expect(407, "Proxy-Authenticate: Digest .*stale=(true|TRUE)").ackRejection("2")
                .inviteWithCredentials("3", "pbx", "s3cret").optional(100).optional(180).expect(200).ack("3")
                .bye("4").expect(200);
        Path file = scenario.write(DIR.resolve("sipp"));
        Processes.Result result = Sipp.call(file, gateway.sipPort(), "+15550300", "+15550100", 20);
        assertThat(result.exitCode()).as("sipp: %s\ngateway log:\n%s", Sipp.messages(file), gateway.log()).isZero();
        gateway.awaitLog("stale=true", Duration.ofSeconds(5));
    }

    @Test
    void aPodAtMaxActiveCallsAnswers503WithRetryAfter() throws Exception {
        SippScenario first = new SippScenario("capacity-first").invite("").optional(100).optional(180).expect(200)
                .ack("1").expectRequestAndAnswer("BYE", 10_000);
        Path firstFile = first.write(DIR.resolve("sipp"));
        java.util.concurrent.CompletableFuture<Processes.Result> call = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return Sipp.call(firstFile, gateway.sipPort(), "+15550199", "+15550100", 20);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        gateway.awaitLog("call=1-", Duration.ofSeconds(10));
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        SippScenario second = new SippScenario("capacity-second").invite("").optional(100)
                .expect(503, "Retry-After: 5").ackRejection("1");
        Path secondFile = second.write(DIR.resolve("sipp"));
        Processes.Result refused = Sipp.call(secondFile, gateway.sipPort(), "+15550199", "+15550101", 10);
        assertThat(refused.exitCode()).as("sipp: %s\ngateway log:\n%s", Sipp.messages(secondFile), gateway.log())
                .isZero();
        assertThat(Sipp.messages(secondFile)).contains("Reason: SIP;cause=503;text=\"Gateway at capacity\"");
        assertThat(call.get().exitCode()).isZero();
    }

    @Test
    void aCallIsHungUpAtTheTrunksMaxCallDuration() throws Exception {
        callEndedByGateway("max-duration", "+15550111", "maxCallDuration 1500ms reached");
    }
}
