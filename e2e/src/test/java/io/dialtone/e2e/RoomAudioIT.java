package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.e2e.support.AttemptProcesses;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.ClientCrashed;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.LatencyProbe;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.RtpPcap;
import io.dialtone.e2e.support.ScriptResult;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junitpioneer.jupiter.RetryingTest;

/**
 * Audio through the bridge, with real peers only: livekit-server --dev, the gateway jar, sipp and the Python
 * LiveKit client, all inside a network namespace of the test's own (WebRTC ignores loopback).
 */
class RoomAudioIT {
    private static final Path DIR = Path.of("target", "room-audio-it").toAbsolutePath();
    private static final String LIVEKIT = BridgedGateway.LIVEKIT;
    private static final String GATEWAY = BridgedGateway.GATEWAY;
    private static final double AMPLITUDE = 8000;
    /** Calls to this number reach a trunk that takes G.722 only. */
    private static final String WIDEBAND_NUMBER = "+15550722";
    private static final String NUMBER = "+15550199";
    /**
     * Calls to this number reach a trunk with the default answerWhen (auto) and a rule that dispatches an agent, so
     * the call is answered once the room plays audio.
     */
    private static final String AGENT_NUMBER = "+15550111";
    /** Calls to this number reach a rule that asks for PIN 1234. */
    private static final String PIN_NUMBER = "+15550444";
    private static BridgedGateway bridged;
    private static NetworkNamespace namespace;
    @RegisterExtension
    final AttemptProcesses attempts = new AttemptProcesses(() -> namespace);
    private static Process gateway;

    @BeforeAll
    static void start() throws Exception {
        NetworkNamespace.assumeAvailable("RoomAudioIT");
        bridged = BridgedGateway.start(DIR, "rtpPortRange: {min: 20000, max: 20100}, codecs: [PCMU]", """
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: any}
                spec: {answerWhen: joined}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: wideband}
                spec: {numbers: ["%s"], answerWhen: joined, media: {codecs: [G722]}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: agent}
                spec: {numbers: ["%s"]}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: lobby}
                spec:
                  direct: {roomName: audio-test}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: locked}
                spec:
                  numbers: ["%s"]
                  direct: {roomName: audio-locked, pin: "1234"}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: with-agent}
                spec:
                  numbers: ["%s"]
                  direct: {roomName: audio-test}
                  room: {agents: [{agentName: receptionist}]}
                """.formatted(WIDEBAND_NUMBER, AGENT_NUMBER, PIN_NUMBER, AGENT_NUMBER), List.of());
        namespace = bridged.namespace();
        gateway = bridged.gateway();
    }

    @AfterAll
    static void stop() throws Exception {
        if (bridged != null) {
            bridged.close();
        }
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theRoomHearsTheCallersVoice() throws Exception {
        Path tone = RtpPcap.tone(DIR.resolve("tone-440.pcap"), 440, 8, AMPLITUDE);
        Process listener = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/listen.py").toString(),
                        "ws://" + LIVEKIT + ":7880", "audio-test", "3"),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("listener.out"));
        SippScenario call = new SippScenario("tone-call").invite("").optional(100).optional(180).expect(200).ack("1")
                .playPcap(tone).pause(9000).bye("2").expect(200);
        int logged = bridged.gatewayLog().length();
        Processes.Result sipp = namespace.run(sipp(call, 5070, "-m", "1"), DIR, 90);
        assertThat(sipp.exitCode()).as("sipp: %s%s", sipp.out(), sipp.err()).isZero();
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).as("the listener finished").isTrue();
        JsonNode heard = ScriptResult.of(DIR.resolve("listener.out"), "the listener");
        assertThat(heard.path("from").asText()).isEqualTo("sip_+15550100");
        assertThat(heard.path("share440").asDouble()).as("share of the power at 440 Hz").isGreaterThan(0.95);
        assertThat(heard.path("rms").asDouble()).as("level (a sine of amplitude %s)", AMPLITUDE)
                .isBetween(AMPLITUDE / Math.sqrt(2) * 0.8, AMPLITUDE / Math.sqrt(2) * 1.2);
        String media = mediaLineAfter(logged);
        assertThat(media).contains("toRoomLost=0", "toRoomLate=0", "roomCodec=PCMU")
                .containsPattern("toPhonePackets=[1-9]");
        long held = measure(media, "toRoomHeldMs");
        System.out.printf("RoomAudioIT: phone -> room, the caller's audio waited %d ms in the gateway on average "
                + "(plus up to one 20 ms tick before it was read)%n", held);
        assertThat(held).as("ms the gateway held the caller's audio").isLessThanOrEqualTo(80);
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theCallerHearsTheRoom() throws Exception {
        int logged = bridged.gatewayLog().length();
        JsonNode heard = callerListening("room-to-phone", false, 31000, 5071, 8, 1000, "talk.py", "1000", "6");
        assertThat(heard.path("payloadTypes").toString()).isEqualTo("[0]");
        assertThat(heard.path("packets").asInt()).as("packets").isGreaterThan(100);
        assertThat(heard.path("perSecond").asDouble()).as("packets a second, paced by the gateway's 20 ms clock")
                .isBetween(47.0, 53.0);
        assertThat(heard.path("gaps").asInt()).as("sequence gaps").isZero();
        assertThat(heard.path("seconds").asDouble()).as("seconds of the tone heard").isGreaterThan(2.5);
        assertNoGapOfTheGateways(heard, logged, "room -> phone");
        assertThat(heard.path("share").asDouble()).as("share of the power at 1 kHz").isGreaterThan(0.9);
        assertThat(heard.path("rms").asDouble()).as("level (a sine of amplitude 8000)")
                .isBetween(8000 / Math.sqrt(2) * 0.7, 8000 / Math.sqrt(2) * 1.2);
        long queued = measure(mediaLineAfter(logged), "toPhoneQueuedMs");
        System.out.printf("RoomAudioIT: room -> phone, the room's audio waited %d ms in the gateway on average "
                + "(plus up to one 20 ms tick)%n", queued);
        assertThat(queued).as("ms the room's audio waited in the gateway").isLessThanOrEqualTo(80);
    }

    /**
     * Tone bursts both ways through a call, timed on the machine's clock, beside the same bursts between two WebRTC
     * participants of the room. The figures are printed; the latency target is the benchmark's to check
     * (bench/media-latency.sh), this test that every path carries the bursts.
     */
    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theLatencyAddedEachWayIsMeasured() throws Exception {
        int phonePort = 31008;
        SippScenario call = new SippScenario("latency").inviteWithMediaAt(phonePort).optional(100).optional(180)
                .expect(200).ack("1").pause(16000).bye("2").expect(200);
        LatencyProbe.Result latency = LatencyProbe.measure(namespace, DIR, "ws://" + LIVEKIT + ":7880", "audio-test",
                GATEWAY, phonePort, "sip_+15550100", 12, () -> namespace.start(sipp(call, NUMBER, 5080, "-m", "1"),
                        Map.of(), DIR.resolve("latency.sipp.log")));
        System.out.println("RoomAudioIT: mouth to ear, " + latency);
        assertThat(latency.phoneToRoom().heard()).as("bursts from the phone heard in the room: %s", latency)
                .isGreaterThanOrEqualTo(5);
        assertThat(latency.roomToPhone().heard()).as("bursts from the room heard on the phone: %s", latency)
                .isGreaterThanOrEqualTo(5);
        assertThat(latency.roomToRoom().heard()).as("bursts between WebRTC participants: %s", latency)
                .isGreaterThanOrEqualTo(5);
    }

    /** 5 kHz is beyond what G.711 carries: heard in the room only if G.722 is decoded as wideband audio. */
    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theRoomHearsAWidebandCaller() throws Exception {
        Path encoded = DIR.resolve("tone-5000.g722");
        Processes.Result encoder = Processes.run(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/g722_tone.py").toString(), encoded.toString(),
                "5000", "8", String.valueOf(AMPLITUDE)), DIR, 60);
        assertThat(encoder.exitCode()).as("g722_tone.py: %s", encoder.err()).isZero();
        Path tone = RtpPcap.frames(DIR.resolve("tone-5000-g722.pcap"), 9, Files.readAllBytes(encoded), 160);
        Process listener = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/listen.py").toString(),
                        "ws://" + LIVEKIT + ":7880", "audio-test", "3", "5000"),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("wideband-listener.out"));
        SippScenario call = new SippScenario("g722-tone-call").inviteWithG722(null).optional(100).optional(180)
                .expect(200).ack("1").playPcap(tone).pause(9000).bye("2").expect(200);
        int logged = bridged.gatewayLog().length();
        Processes.Result sipp = namespace.run(sipp(call, WIDEBAND_NUMBER, 5075, "-m", "1"), DIR, 90);
        assertThat(sipp.exitCode()).as("sipp: %s%s", sipp.out(), sipp.err()).isZero();
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).as("the listener finished").isTrue();
        JsonNode heard = ScriptResult.of(DIR.resolve("wideband-listener.out"), "the listener");
        // Opus codes 5 kHz less cleanly than 440 Hz (0.88-0.99 of the power has stayed in the tone).
        assertThat(heard.path("share").asDouble()).as("share of the power at 5 kHz").isGreaterThan(0.8);
        assertThat(heard.path("rms").asDouble()).as("level (a sine of amplitude %s)", AMPLITUDE)
                .isBetween(AMPLITUDE / Math.sqrt(2) * 0.7, AMPLITUDE / Math.sqrt(2) * 1.2);
        assertThat(mediaLineAfter(logged)).as("LiveKit takes no G.722: the wideband caller is published as Opus")
                .contains("roomCodec=opus");
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void aWidebandCallerHearsTheRoomInG722() throws Exception {
        int logged = bridged.gatewayLog().length();
        JsonNode heard = callerListening("room-to-g722", true, 31004, 5076, 8, 5000, "talk.py", "5000", "6");
        assertThat(heard.path("payloadTypes").toString()).isEqualTo("[9]");
        assertThat(heard.path("perSecond").asDouble()).as("packets a second").isBetween(47.0, 53.0);
        assertThat(heard.path("gaps").asInt()).as("sequence gaps").isZero();
        assertThat(heard.path("seconds").asDouble()).as("seconds of the tone heard").isGreaterThan(2.5);
        assertNoGapOfTheGateways(heard, logged, "room -> G.722 phone");
        assertThat(heard.path("share").asDouble()).as("share of the power at 5 kHz, decoded by the g722 package")
                .isGreaterThan(0.9);
        assertThat(heard.path("rms").asDouble()).as("level (a sine of amplitude 8000)")
                .isBetween(8000 / Math.sqrt(2) * 0.7, 8000 / Math.sqrt(2) * 1.2);
    }

    /**
     * With the default answerWhen (auto) and a rule that dispatches an agent, the call rings (180 every second) until
     * someone in the room publishes audio, as the agent does when it starts; then 200 OK.
     */
    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theCallIsAnsweredOnceTheRoomPlaysAudio() throws Exception {
        SippScenario scenario = new SippScenario("first-track").invite("").optional(100).optional(180).expect(200)
                .ack("1").pause(1000).bye("2").expect(200);
        Path messages = DIR.resolve("first-track.messages");
        Files.deleteIfExists(messages);
        Process call = namespace.start(sipp(scenario, AGENT_NUMBER, 5077, "-m", "1", "-trace_msg", "-message_file",
                messages.toString()), Map.of(), DIR.resolve("first-track.sipp.log"));
        long waited = 3500;
        Thread.sleep(waited);
        assertThat(call.isAlive()).as("the call still rings while the room is silent").isTrue();
        Process talker = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/talk.py").toString(),
                        "ws://" + LIVEKIT + ":7880", "audio-test", "1000", "4"),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("first-track.talker.out"));
        boolean completed = call.waitFor(60, TimeUnit.SECONDS) && call.exitValue() == 0;
        finished(talker, "talk.py", DIR.resolve("first-track.talker.out"));
        assertThat(completed).as("sipp completed the call").isTrue();
        long ringing = read(messages).lines().filter(line -> line.startsWith("SIP/2.0 180")).count();
        assertThat(ringing).as("180 Ringing sent every second while the room was silent").isGreaterThanOrEqualTo(3);
        String answered = Eventually.value("the call answered", Duration.ofSeconds(10),
                () -> read(DIR.resolve("gateway.log")).lines()
                        .filter(line -> line.contains("event=answered") && line.contains("trunk=agent")).findFirst(),
                () -> read(DIR.resolve("gateway.log")));
        assertThat(measure(answered, "setupMs")).as("ms from INVITE to 200 OK").isGreaterThanOrEqualTo(waited);
        assertThat(read(DIR.resolve("gateway.log"))).contains("event=waiting_for_room")
                .contains("(answerWhen: auto)");
    }

    /** After the right PIN the prompt hands the call's RTP over to the bridge: the room hears the caller. */
    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void aCallerWhoEntersThePinIsHeardInTheRoom() throws Exception {
        Path pin = RtpPcap.dtmf(DIR.resolve("dtmf-1234#.pcap"), "1234#", 101);
        Path tone = RtpPcap.tone(DIR.resolve("tone-440.pcap"), 440, 8, AMPLITUDE);
        Process listener = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/listen.py").toString(),
                        "ws://" + LIVEKIT + ":7880", "audio-locked", "3"),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("pin-listener.out"));
        SippScenario call = new SippScenario("pin-call").invite("").optional(100).expect(200).ack("1").pause(1000)
                .playPcap(pin).pause(2000).playPcap(tone).pause(9000).bye("2").expect(200);
        Processes.Result sipp = namespace.run(sipp(call, PIN_NUMBER, 5078, "-m", "1"), DIR, 90);
        assertThat(sipp.exitCode()).as("sipp: %s%s", sipp.out(), sipp.err()).isZero();
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).as("the listener finished").isTrue();
        JsonNode heard = ScriptResult.of(DIR.resolve("pin-listener.out"), "the listener");
        assertThat(heard.path("from").asText()).isEqualTo("sip_+15550100");
        assertThat(heard.path("share440").asDouble()).as("share of the power at 440 Hz").isGreaterThan(0.95);
        assertThat(read(DIR.resolve("gateway.log"))).contains("event=pin_accepted")
                .containsPattern("event=answered .* rule=locked room=audio-locked .*pin=true");
    }

    /**
     * The gateway's signalling connection to LiveKit is cut in the middle of a call: the participant resumes it,
     * the call goes on, and the caller keeps hearing the room without a gap.
     */
    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void aDroppedSignallingConnectionIsResumedWithoutDroppingTheCall() throws Exception {
        int logged = bridged.gatewayLog().length();
        Path heardFile = DIR.resolve("resume.heard");
        int phonePort = 31006;
        Process ear = namespace.start(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/rtp_listen.py").toString(), GATEWAY,
                String.valueOf(phonePort), "14", "1000"), Map.of(), heardFile);
        SippScenario call = new SippScenario("resume").inviteWithMediaAt(phonePort).optional(100).optional(180)
                .expect(200).ack("1").pause(15000).bye("2").expect(200);
        Process sipp = namespace.start(sipp(call, NUMBER, 5079, "-m", "1"), Map.of(), DIR.resolve("resume.sipp.log"));
        Process talker = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/talk.py").toString(),
                        "ws://" + LIVEKIT + ":7880", "audio-test", "1000", "12"),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("resume.talker.out"));
        Thread.sleep(5000);
        bridged.cutSignalling();
        Eventually.value("the participant's connection resumed", Duration.ofSeconds(20),
                () -> read(DIR.resolve("gateway.log")).lines().filter(l -> l.contains("event=livekit_resumed")).findFirst(),
                () -> read(DIR.resolve("gateway.log")));
        boolean completed = sipp.waitFor(60, TimeUnit.SECONDS) && sipp.exitValue() == 0;
        finished(talker, "talk.py", DIR.resolve("resume.talker.out"));
        assertThat(completed)
                .as("sipp completed the call (no BYE from the gateway): %s", read(DIR.resolve("resume.sipp.log")))
                .isTrue();
        assertThat(ear.waitFor(30, TimeUnit.SECONDS)).isTrue();
        JsonNode heard = ScriptResult.of(heardFile, "the RTP listener");
        assertThat(heard.path("seconds").asDouble()).as("seconds of the room's tone heard").isGreaterThan(9);
        assertNoGapOfTheGateways(heard, logged, "room -> phone across the cut");
        assertThat(read(DIR.resolve("gateway.log"))).contains("event=livekit_dropped")
                .doesNotContain("by=gateway why=\"the connection to LiveKit dropped");
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theRoomReceivesTheCallersDigitsAsSipDtmf() throws Exception {
        Path dtmf = RtpPcap.dtmf(DIR.resolve("dtmf-123#.pcap"), "123#", 101);
        SippScenario call = new SippScenario("dtmf-call").invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(1000).playPcap(dtmf).pause(3000).bye("2").expect(200);
        assertThat(digitsTheRoomReceives(call, "dtmf-listener")).containsExactly("1/1/sip_+15550100",
                "2/2/sip_+15550100", "3/3/sip_+15550100", "#/11/sip_+15550100");
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theRoomReceivesDigitsSentAsSipInfoAsSipDtmf() throws Exception {
        SippScenario call = new SippScenario("info-dtmf-call").invite("").optional(100).optional(180).expect(200)
                .ack("1").pause(1500)
                .inDialog("INFO", "2", "application/dtmf-relay", "Signal=4\nDuration=160\n").expect(200)
                .inDialog("INFO", "3", "application/dtmf-relay", "Signal=*\nDuration=160\n").expect(200)
                .pause(3000).bye("4").expect(200);
        assertThat(digitsTheRoomReceives(call, "info-dtmf-listener")).containsExactly("4/4/sip_+15550100",
                "*/10/sip_+15550100");
    }

    /** Digit/code/sender of each SipDTMF a room participant receives while sipp plays {@code call}. */
    private List<String> digitsTheRoomReceives(SippScenario call, String listenerName) throws Exception {
        Path output = DIR.resolve(listenerName + ".out");
        Process listener = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("e2e/src/test/resources/media/dtmf_listen.py").toString(),
                        "ws://" + LIVEKIT + ":7880", "audio-test", "8"),
                Map.of("PYTHONWARNINGS", "ignore"), output);
        Processes.Result sipp = namespace.run(sipp(call, 5072, "-m", "1"), DIR, 90);
        assertThat(sipp.exitCode()).as("sipp: %s%s", sipp.out(), sipp.err()).isZero();
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = read(output);
        JsonNode received = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("[")).findFirst()
                .orElseThrow(() -> new AssertionError("the DTMF listener printed no result:\n" + out)));
        List<String> digits = new java.util.ArrayList<>();
        received.forEach(d -> digits.add(d.path("digit").asText() + "/" + d.path("code").asInt() + "/"
                + d.path("from").asText()));
        return digits;
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void theCallerHearsTheRoomsDigitsAsRfc4733Events() throws Exception {
        JsonNode heard = callerListening("room-dtmf", false, 31002, 5073, 7, 1000, "dtmf_send.py", "47#");
        assertThat(heard.path("digits").asText()).isEqualTo("47#");
        assertThat(heard.path("gaps").asInt()).as("sequence gaps").isZero();
    }

    @Test
    void sequentialCallsLeaveNoThreadsOrFileDescriptorsBehind() throws Exception {
        SippScenario call = new SippScenario("short-call").invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(300).bye("2").expect(200);
        // Thread pools, connection pools and the JIT settle over the first calls; a leak is what keeps growing after.
        assertThat(namespace.run(sipp(call, 5074, "-l", "1", "-m", "15"), DIR, 120).exitCode()).as("warm-up calls")
                .isZero();
        Usage before = Usage.of(gateway.pid());
        int calls = 200;
        long started = System.nanoTime();
        Processes.Result result = namespace.run(sipp(call, 5074, "-l", "1", "-m", String.valueOf(calls)), DIR, 300);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(result.exitCode()).as("%d sequential calls: %s%s", calls, result.out(), result.err()).isZero();
        Usage after = Eventually.value("the calls' threads gone", Duration.ofSeconds(20), () -> {
            Usage now = Usage.of(gateway.pid());
            return now.threads() <= before.threads() + 2 ? java.util.Optional.of(now) : java.util.Optional.empty();
        }, () -> "threads " + before + " -> " + Usage.of(gateway.pid()));
        System.out.printf("RoomAudioIT: %d sequential bridged calls in %d s; threads %d -> %d, file descriptors %d -> %d,"
                        + " RSS %d -> %d MiB (%.0f KiB per call)%n", calls, seconds, before.threads(), after.threads(),
                before.descriptors(), after.descriptors(), before.rssKib() / 1024, after.rssKib() / 1024,
                (after.rssKib() - before.rssKib()) / (double) calls);
        // Pooled HTTP and WebSocket connections come and go; 60 calls showed +5, 30 calls +7: no growth per call.
        assertThat(after.descriptors()).as("open file descriptors").isLessThanOrEqualTo(before.descriptors() + 10);
        assertThat(after.rssKib() - before.rssKib()).as("RSS growth over %d calls, KiB", calls)
                .isLessThan(calls * 2048L);
    }

    /**
     * A call whose offer puts the caller's media at {@code phonePort}, where rtp_listen.py listens for {@code seconds}
     * (and measures the share of {@code hertz}), while a room participant runs {@code roomScript}; what it heard.
     */
    private static JsonNode callerListening(String name, boolean wideband, int phonePort, int sippPort, int seconds,
                                            int hertz, String roomScript, String... scriptArgs) throws Exception {
        Path heardFile = DIR.resolve(name + ".heard");
        Process ear = namespace.start(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/rtp_listen.py").toString(), GATEWAY,
                String.valueOf(phonePort), String.valueOf(seconds), String.valueOf(hertz)), Map.of(), heardFile);
        SippScenario invite = new SippScenario(name);
        SippScenario call = (wideband ? invite.inviteWithG722(phonePort) : invite.inviteWithMediaAt(phonePort))
                .optional(100).optional(180).expect(200).ack("1").pause((seconds + 1) * 1000).bye("2").expect(200);
        Process sipp = namespace.start(sipp(call, wideband ? WIDEBAND_NUMBER : NUMBER, sippPort, "-m", "1"), Map.of(),
                DIR.resolve(name + ".sipp.log"));
        List<String> room = new java.util.ArrayList<>(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media").resolve(roomScript).toString(),
                "ws://" + LIVEKIT + ":7880", "audio-test"));
        room.addAll(List.of(scriptArgs));
        Processes.Result participant = namespace.run(room, DIR, 60);
        // The call and the ear finish first, whatever became of the participant: a retry after a client crash must
        // not meet this attempt's call still in the room under the same identity.
        boolean completed = sipp.waitFor(60, TimeUnit.SECONDS) && sipp.exitValue() == 0;
        boolean heard = ear.waitFor(30, TimeUnit.SECONDS);
        ClientCrashed.check(roomScript, participant.exitCode(), participant.out() + participant.err());
        assertThat(participant.exitCode()).as("%s: %s%s", roomScript, participant.out(), participant.err()).isZero();
        assertThat(completed).as("sipp completed the call").isTrue();
        assertThat(heard).isTrue();
        return ScriptResult.of(heardFile, "the RTP listener");
    }

    /** sipp calling the gateway from +15550100 to +15550199, from {@code port}, errors kept beside the scenario. */
    private static List<String> sipp(SippScenario call, int port, String... limits) throws java.io.IOException {
        return sipp(call, NUMBER, port, limits);
    }

    private static List<String> sipp(SippScenario call, String to, int port, String... limits)
            throws java.io.IOException {
        Path scenario = call.write(DIR);
        List<String> command = Sipp.command(scenario, GATEWAY + ":5060", GATEWAY, port, to, "+15550100",
                "-timeout", "300", "-error_file", DIR.resolve(scenario.getFileName() + ".errors").toString());
        command.addAll(List.of(limits));
        return command;
    }

    /** Waits for a room participant started in the background; a crash of the client's native layer says so. */
    private static void finished(Process client, String script, Path output) throws InterruptedException {
        boolean ended = client.waitFor(30, TimeUnit.SECONDS);
        ClientCrashed.check(script, ended ? client.exitValue() : null, read(output));
    }

    /** What the gateway process holds, from /proc. */
    private record Usage(long threads, long descriptors, long rssKib) {
        static Usage of(long pid) {
            try {
                long threads = 0;
                long rss = 0;
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                    if (line.startsWith("Threads:")) {
                        threads = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
                try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
                    return new Usage(threads, fds.count(), rss);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read /proc of the gateway " + pid, e);
            }
        }
    }

    /** The first event=media line the gateway logged after {@code offset} of its log (a call's, as it ends). */
    private static String mediaLineAfter(int offset) {
        return Eventually.value("an event=media line", Duration.ofSeconds(15),
                () -> bridged.gatewayLog().substring(offset).lines()
                        .filter(line -> line.contains("event=media")).findFirst(),
                () -> bridged.gatewayLog());
    }

    /**
     * The caller heard no gap the gateway made. A gap is allowed only where the gateway saw the room's audio stall:
     * the way it comes (the Python client's sending, LiveKit's forwarding, the gateway's sockets thread) now and then
     * stands still for longer than the playout queue and its concealment cover when this two-core machine is busy, and the gateway counts each such stall as an underrun
     * (the tone's end is one more). Any other gap (silence sent while audio was queued, a lost frame) is the
     * gateway's, and fails the test; PlayoutQueueTest checks the queue itself against stalls, deterministically.
     */
    private static void assertNoGapOfTheGateways(JsonNode heard, int logged, String direction) {
        long stalls = measure(mediaLineAfter(logged), "toPhoneUnderruns");
        int dropouts = heard.path("dropouts").asInt();
        System.out.printf("RoomAudioIT: %s: %d dropouts in the tone, %d stalls of the room's audio (tone end"
                + " included) seen by the gateway%n", direction, dropouts, stalls);
        assertThat((long) dropouts).as("dropouts in the tone beyond the %d stalls the gateway saw (%s)", stalls,
                direction).isLessThanOrEqualTo(stalls);
    }

    private static long measure(String line, String name) {
        java.util.regex.Matcher value = java.util.regex.Pattern.compile(name + "=(\\d+)").matcher(line);
        assertThat(value.find()).as("%s in %s", name, line).isTrue();
        return Long.parseLong(value.group(1));
    }

    private static String read(Path file) {
        return BridgedGateway.read(file);
    }
}
