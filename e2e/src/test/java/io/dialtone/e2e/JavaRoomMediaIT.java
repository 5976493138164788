package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.ScriptResult;
import io.dialtone.e2e.support.Toolchain;
import io.dialtone.gateway.livekit.ParticipantSession;
import io.dialtone.gateway.livekit.RoomAudioPublisher;
import io.dialtone.gateway.livekit.RoomAudioSubscriber;
import io.dialtone.gateway.webrtc.WebRtcMedia;
import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import io.livekit.server.RoomServiceClient;
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
import livekit.LivekitModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's media engine against a real livekit-server in a namespace of the test's own, run in this JVM on the
 * outer end of the namespace's link: the publisher sends a caller's G.711 as a PCMU track and its DTMF, which a LiveKit
 * client in the room hears; the subscriber decodes a talker's Opus and takes its digits.
 */
class JavaRoomMediaIT {
    private static final Path DIR = Path.of("target", "java-room-media-it");
    private static final String LIVEKIT = "10.205.0.1";
    private static final String HOST = "10.205.0.2";
    private static final double AMPLITUDE = 8000;
    private static NetworkNamespace namespace;
    private static WebRtcMedia media;
    private static ScheduledExecutorService timers;
    private static RoomServiceClient rooms;

    @BeforeAll
    static void start() throws Exception {
        NetworkNamespace.assumeAvailable("JavaRoomMediaIT");
        Files.createDirectories(DIR);
        namespace = NetworkNamespace.withHostEnd("dtj" + ProcessHandle.current().pid() % 100000, LIVEKIT, HOST);
        BridgedGateway.startLiveKit(namespace, DIR, LIVEKIT);
        Eventually.until("livekit-server answers", Duration.ofSeconds(30),
                () -> BridgedGateway.answers(namespace, DIR, "http://" + LIVEKIT + ":7880"), () -> "");
        media = new WebRtcMedia(InetAddress.getByName(HOST));
        rooms = RoomServiceClient.createClient("http://" + LIVEKIT + ":7880", "devkey", "secret");
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
    void aPcmuTrackThePublisherSendsIsHeardInTheRoomWithItsDigits() throws Exception {
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
             RoomAudioPublisher publisher = RoomAudioPublisher.publish(session, media, 8000, "PCMU", 10_000)) {
            long[] sample = {0};
            ScheduledFuture<?> clock = timers.scheduleAtFixedRate(() -> {
                short[] frame = new short[80];
                for (int i = 0; i < frame.length; i++, sample[0]++) {
                    frame[i] = (short) Math.round(AMPLITUDE * Math.sin(2 * Math.PI * 440 * sample[0] / 8000.0));
                }
                publisher.push(frame);
            }, 0, 10, TimeUnit.MILLISECONDS);
            // Active: its connections are up, so LiveKit delivers the room's data packets to it.
            Eventually.until("the DTMF listener is active in the room", Duration.ofSeconds(30),
                    () -> rooms.listParticipants("java-media").execute().body().stream()
                            .anyMatch(participant -> participant.getIdentity().equals("dtmf-listener")
                                    && participant.getState() == LivekitModels.ParticipantInfo.State.ACTIVE),
                    () -> "");
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

    @Test
    void theRoomsVoiceAndDigitsReachTheSubscriber() throws Exception {
        String ws = "ws://" + LIVEKIT + ":7880";
        AccessToken token = new AccessToken("devkey", "secret");
        token.setIdentity("phone-2");
        token.addGrants(new RoomJoin(true), new RoomName("java-hears"), new CanPublish(true), new CanSubscribe(true));
        java.util.List<short[]> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger heardSamples = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Set<String> tracks = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<Character> pressed = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ParticipantSession session = ParticipantSession.join(ws, token.toJwt(), Duration.ofSeconds(10), timers,
                timers, why -> { });
             RoomAudioSubscriber receiver = RoomAudioSubscriber.subscribe(session, media, 8000,
                     (track, samples, rate) -> {
                         tracks.add(track);
                         heard.add(samples);
                         heardSamples.addAndGet(samples.length);
                     }, pressed::add, (from, request) -> { }, timers)) {
            namespace.start(List.of(Toolchain.python().toString(),
                    Toolchain.root().resolve("e2e/src/test/resources/media/talk.py").toString(), ws, "java-hears",
                    "1000", "6"), Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("talk.out"));
            receiver.firstTrack().get(30, TimeUnit.SECONDS);
            namespace.start(List.of(Toolchain.python().toString(),
                    Toolchain.root().resolve("e2e/src/test/resources/media/dtmf_send.py").toString(), ws, "java-hears",
                    "42#"), Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("dtmf-send.out"));
            Eventually.until("3 s of the room's audio and three digits", Duration.ofSeconds(30),
                    () -> heardSamples.get() >= 8000 * 3 && pressed.size() >= 3,
                    () -> heardSamples.get() + " samples, " + pressed);
        }
        assertThat(tracks).hasSize(1).allMatch(track -> track.startsWith("TR_"));
        assertThat(pressed).containsExactly('4', '2', '#');
        // The last two seconds heard: past the start, where the talker's first frames settle.
        double[] all = heard.stream().flatMapToInt(block -> java.util.stream.IntStream.range(0, block.length)
                .map(i -> block[i])).asDoubleStream().toArray();
        double[] tone = java.util.Arrays.copyOfRange(all, all.length - 16000, all.length);
        assertThat(shareAt(tone, 8000, 1000)).as("share of the power at 1 kHz").isGreaterThan(0.9);
    }

    /**
     * The share of a signal's power within 2 % of {@code hertz}: the DFT's bins in that band (Hann window), over the
     * whole power of the windowed signal, which by Parseval's theorem is n times its energy, half on each side.
     */
    private static double shareAt(double[] signal, int rate, double hertz) {
        int n = signal.length;
        double[] windowed = new double[n];
        double energy = 0;
        for (int i = 0; i < n; i++) {
            windowed[i] = signal[i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1)));
            energy += windowed[i] * windowed[i];
        }
        double within = 0;
        for (int k = (int) Math.ceil(hertz * 0.98 * n / rate); k <= (int) (hertz * 1.02 * n / rate); k++) {
            double re = 0;
            double im = 0;
            for (int i = 0; i < n; i++) {
                double angle = 2 * Math.PI * k * i / n;
                re += windowed[i] * Math.cos(angle);
                im -= windowed[i] * Math.sin(angle);
            }
            within += re * re + im * im;
        }
        return energy == 0 ? 0 : within / (n * energy / 2);
    }
}
