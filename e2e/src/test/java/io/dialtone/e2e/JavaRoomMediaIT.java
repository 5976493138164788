package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.ScriptResult;
import io.dialtone.e2e.support.Toolchain;
import io.dialtone.gateway.livekit.G711RoomPublisher;
import io.dialtone.gateway.livekit.ParticipantSession;
import io.dialtone.gateway.webrtc.WebRtcMedia;
import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java media engine against a real livekit-server in a namespace of the test's own: the gateway's own ICE,
 * DTLS-SRTP and RTP, run in this JVM on the namespace link's outer end, publish a caller's G.711 as a PCMU track,
 * and a LiveKit client in the room hears the tone.
 */
class JavaRoomMediaIT {
    private static final Path DIR = Path.of("target", "java-room-media-it");
    private static final String LIVEKIT = "10.205.0.1";
    private static final String HOST = "10.205.0.2";
    private static final double AMPLITUDE = 8000;
    private static NetworkNamespace namespace;
    private static WebRtcMedia media;
    private static ScheduledExecutorService timers;

    @BeforeAll
    static void start() throws Exception {
        NetworkNamespace.assumeAvailable("JavaRoomMediaIT");
        Files.createDirectories(DIR);
        namespace = NetworkNamespace.withHostEnd("dtj" + ProcessHandle.current().pid() % 100000, LIVEKIT, HOST);
        BridgedGateway.startLiveKit(namespace, DIR, LIVEKIT);
        Eventually.until("livekit-server answers", Duration.ofSeconds(30),
                () -> BridgedGateway.answers(namespace, DIR, "http://" + LIVEKIT + ":7880"), () -> "");
        media = new WebRtcMedia(InetAddress.getByName(HOST));
        timers = Executors.newScheduledThreadPool(2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (timers != null) {
            timers.shutdownNow();
        }
        if (media != null) {
            media.close();
        }
        if (namespace != null) {
            namespace.close();
        }
    }

    @Test
    void aPcmuTrackPublishedWithoutLibwebrtcIsHeardInTheRoom() throws Exception {
        String ws = "ws://" + LIVEKIT + ":7880";
        Path out = DIR.resolve("listener.out");
        Path dtmf = DIR.resolve("dtmf.out");
        Process digits = namespace.start(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/dtmf_listen.py").toString(), ws, "java-media",
                "8"), Map.of("PYTHONWARNINGS", "ignore"), dtmf);
        Process listener = namespace.start(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/listen.py").toString(), ws, "java-media", "3"),
                Map.of("PYTHONWARNINGS", "ignore"), out);
        AccessToken token = new AccessToken("devkey", "secret");
        token.setIdentity("phone");
        token.addGrants(new RoomJoin(true), new RoomName("java-media"), new CanPublish(true), new CanSubscribe(true));
        try (ParticipantSession session = ParticipantSession.join(ws, token.toJwt(), Duration.ofSeconds(10), timers,
                timers, why -> { });
             G711RoomPublisher publisher = G711RoomPublisher.publish(session, media, "PCMU", 10_000)) {
            long[] sample = {0};
            ScheduledFuture<?> clock = timers.scheduleAtFixedRate(() -> {
                short[] frame = new short[80];
                for (int i = 0; i < frame.length; i++, sample[0]++) {
                    frame[i] = (short) Math.round(AMPLITUDE * Math.sin(2 * Math.PI * 440 * sample[0] / 8000.0));
                }
                publisher.push(frame);
            }, 0, 10, TimeUnit.MILLISECONDS);
            Thread.sleep(2000);
            publisher.sendDtmf('7');
            publisher.sendDtmf('#');
            assertThat(listener.waitFor(60, TimeUnit.SECONDS)).as("the listener finished").isTrue();
            clock.cancel(false);
            JsonNode result = ScriptResult.of(out, "the listener");
            assertThat(result.path("from").asText()).isEqualTo("phone");
            assertThat(result.path("share440").asDouble()).as("share of the power at 440 Hz").isGreaterThan(0.95);
            assertThat(result.path("rms").asDouble()).as("level (a sine of amplitude %s)", AMPLITUDE)
                    .isBetween(AMPLITUDE / Math.sqrt(2) * 0.8, AMPLITUDE / Math.sqrt(2) * 1.2);
            assertThat(digits.waitFor(30, TimeUnit.SECONDS)).as("the DTMF listener finished").isTrue();
            assertThat(Files.readString(dtmf)).contains("\"digit\": \"7\"", "\"digit\": \"#\"");
        }
    }
}
