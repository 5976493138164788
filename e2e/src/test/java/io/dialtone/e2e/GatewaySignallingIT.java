package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Closer;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.RtpPcap;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import io.livekit.server.AgentDispatchServiceClient;
import io.livekit.server.RoomServiceClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone gateway against a real livekit-server, called by sipp over loopback: what a carrier's calls
 * meet, from the first INVITE to the last BYE.
 */
class GatewaySignallingIT {
    private static final Path DIR = Path.of("target", "gateway-signalling-it").toAbsolutePath();
    private static LiveKitServer livekit;
    private static RoomServiceClient rooms;
    private static GatewayProcess gateway;
    private static Path config;

    static String configYaml(String url, String extra) {
        return Documents.join(
                Documents.gateway("it", url, 31000, ""),
                Documents.trunk("carrier", "numbers: ['+15550199', '+15550500', '+15550800'], "
                        + "allowedAddresses: [127.0.0.1], headersToAttributes: {X-Campaign: campaign}, "
                        + "includeHeaders: x-headers"),
                Documents.trunk("secure", "numbers: ['+15550300'], allowedAddresses: [127.0.0.1], "
                        + "auth: {username: pbx, password: s3cret}"),
                Documents.trunk("locked", "numbers: ['+15550900'], allowedAddresses: [127.0.0.5], "
                        + "auth: {username: pbx2, password: hidden}"),
                Documents.trunk("vip-only", "numbers: ['+15550600'], allowedAddresses: [127.0.0.1], "
                        + "allowedNumbers: ['+15550001']"),
                Documents.trunk("twin-a", "numbers: ['+15550700'], allowedAddresses: [127.0.0.1]"),
                Documents.trunk("twin-b", "numbers: ['+15550700'], allowedAddresses: [127.0.0.1/32]"),
                Documents.trunk("agent-line", "numbers: ['+15550450'], allowedAddresses: [127.0.0.1], "
                        + "headers: {X-Line: agents}, attributesToHeaders: {outcome: X-Outcome}"),
                Documents.trunk("callee-line", "numbers: ['+15550480'], allowedAddresses: [127.0.1.0/29]"),
                Documents.rule("to-callee", """
                          trunkRefs: [callee-line]
                          callee: {roomPrefix: callee}
                        """),
                Documents.trunk("lobby-line", "numbers: ['+15550470'], allowedAddresses: [127.0.0.1]"),
                Documents.rule("lobby-agent", """
                          trunkRefs: [lobby-line]
                          direct: {roomName: agent-lobby}
                          room: {agents: [{agentName: receptionist}]}
                        """),
                Documents.rule("agent-desk", """
                          trunkRefs: [agent-line]
                          individual: {roomPrefix: desk-}
                        """),
                Documents.rule("per-caller", """
                          trunkRefs: [carrier, secure]
                          numbers: ["+15550199", "+15550300"]
                          individual: {roomPrefix: sip-call-}
                          room: {metadata: "from the phone", emptyTimeout: 5m}
                        """),
                Documents.rule("boardroom", """
                          trunkRefs: [carrier]
                          numbers: ["+15550800"]
                          direct: {roomName: boardroom, pin: "4321"}
                        """)) + extra;
    }

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        livekit = LiveKitServer.start(DIR.resolve("livekit"));
        rooms = RoomServiceClient.createClient(livekit.httpUrl(), LiveKitServer.API_KEY, LiveKitServer.API_SECRET);
        config = DIR.resolve("gateway.yaml");
        Files.writeString(config, configYaml(livekit.httpUrl().replace("http://", "ws://"), ""));
        gateway = GatewayProcess.start(config, DIR.resolve("gateway"), "--media-timeout", "60s");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.close(gateway, livekit);
    }

    private static SippScenario callFlow(String name, int holdMillis) {
        return new SippScenario(name).invite("X-Campaign: spring\n").optional(100).optional(180).expect(200)
                .ack("1").pause(holdMillis).bye("2").expect(200);
    }

    private static Processes.Result sipp(SippScenario scenario, String number, int timeoutSeconds, String... extra)
            throws Exception {
        Path file = scenario.write(DIR.resolve("sipp"));
        return Sipp.call(file, gateway.sipPort(), number, "+15550100", timeoutSeconds, extra);
    }

    /** A sipp call running while the test acts on LiveKit or the configuration. */
    private static CompletableFuture<Processes.Result> inBackground(SippScenario scenario, String number, String caller,
                                                                   int timeoutSeconds) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Sipp.call(scenario.write(DIR.resolve("sipp")), gateway.sipPort(), number, caller, timeoutSeconds);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void assertPassed(Processes.Result result, SippScenario scenario, String name) throws Exception {
        assertThat(result.exitCode()).as("sipp %s failed:\n%s\n%s\ngateway log:\n%s", name,
                result.out().lines().filter(l -> l.contains("call") || l.contains("rror")).toList(),
                Sipp.messages(DIR.resolve("sipp").resolve(name + ".xml")), gateway.log()).isZero();
    }

    private static Optional<LivekitModels.Room> roomStartingWith(String prefix) throws Exception {
        return rooms.listRooms().execute().body().stream().filter(r -> r.getName().startsWith(prefix)).findFirst();
    }

    private static <T> T await(String what, Duration timeout, java.util.concurrent.Callable<Optional<T>> probe) {
        return Eventually.value(what, timeout, probe, () -> {
            try {
                return "gateway log:\n" + gateway.log();
            } catch (java.io.IOException e) {
                return "gateway log unreadable: " + e;
            }
        });
    }

    /** A counter of /stats, e.g. ("trunks", "carrier", "total"); 0 when the trunk or rule has no calls yet. */
    private static long stat(String group, String name, String counter) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(gateway.get("/stats").body());
        return json.path(group).path(name).path(counter).asLong(0);
    }

    @Test
    void anAcceptedCallCreatesTheRuleRoomAndIsCounted() throws Exception {
        long trunkTotal = stat("trunks", "carrier", "total");
        long ruleTotal = stat("rules", "per-caller", "total");
        SippScenario scenario = callFlow("accepted", 3000);
        CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550199", "+15550123", 20);
        LivekitModels.Room room = await("the call's room", Duration.ofSeconds(10),
                () -> roomStartingWith("sip-call-_+15550123_"));
        assertThat(room.getName()).matches("sip-call-_\\+15550123_[0-9A-Za-z]{12}");
        assertThat(room.getMetadata()).isEqualTo("from the phone");
        assertThat(room.getEmptyTimeout()).isEqualTo(300);
        LivekitModels.ParticipantInfo caller = await("the caller's participant, active", Duration.ofSeconds(10),
                () -> rooms.listParticipants(room.getName()).execute().body().stream()
                        .filter(p -> "active".equals(p.getAttributesMap().get("sip.callStatus"))).findFirst());
        assertThat(caller.getIdentity()).isEqualTo("sip_+15550123");
        assertThat(caller.getName()).isEqualTo("Phone +15550123");
        assertThat(caller.getKind()).isEqualTo(LivekitModels.ParticipantInfo.Kind.SIP);
        assertThat(caller.getAttributesMap()).containsEntry("sip.trunkID", "carrier")
                .containsEntry("sip.ruleID", "per-caller").containsEntry("sip.phoneNumber", "+15550123")
                .containsEntry("sip.trunkPhoneNumber", "+15550199").containsEntry("sip.hostname", "carrier.example")
                .containsKeys("sip.callID", "sip.callIDFull")
                .as("the trunk's headersToAttributes and includeHeaders: x-headers")
                .containsEntry("campaign", "spring").containsEntry("sip.h.x-campaign", "spring");
        assertPassed(call.get(), scenario, "accepted");
        assertThat(stat("trunks", "carrier", "total")).isEqualTo(trunkTotal + 1);
        assertThat(stat("rules", "per-caller", "total")).isEqualTo(ruleTotal + 1);
        assertThat(gateway.get("/metrics").body())
                .containsPattern("dialtone_gateway_calls_total\\{rule=\"per-caller\",trunk=\"carrier\"} [1-9]")
                .as("every series the Grafana dashboard charts").contains(dashboardMetrics());
        assertThat(gateway.log()).contains("event=answered").contains("trunk=carrier rule=per-caller");
    }

    @Test
    void aKnownTrunkWithoutARuleIsRejectedWith404AndAReasonHeader() throws Exception {
        SippScenario scenario = new SippScenario("no-rule").invite("").optional(100)
                .expect(404, "Reason: SIP;cause=404;text=\"No dispatch rule\"").ackRejection("1");
        assertPassed(sipp(scenario, "+15550500", 10), scenario, "no-rule");
        gateway.awaitLog("status=404 reason=no_rule", Duration.ofSeconds(5));
        assertThat(gateway.log())
                .contains("no DispatchRule takes the call from +15550100 to +15550500 on SipTrunk carrier");
        assertThat(stat("trunks", "carrier", "rejected")).isPositive();
    }

    @Test
    void aNumberNoTrunkListsIsRejectedWith404() throws Exception {
        SippScenario scenario = new SippScenario("no-trunk").invite("").optional(100)
                .expect(404, "Reason: SIP;cause=404;text=\"No trunk for number\"").ackRejection("1");
        assertPassed(sipp(scenario, "+15550404", 10), scenario, "no-trunk");
    }

    /**
     * From an address only a password trunk admits, a number no trunk lists is challenged like a listed one: the 404
     * comes only with the trunk's credentials, and wrong ones get the same 403 as for a listed number.
     */
    @Test
    void aSourceThatMustAuthenticateLearnsWhichNumbersExistOnlyWithThePassword() throws Exception {
        SippScenario proven = new SippScenario("hidden-number-proven").invite("").optional(100).expect(407)
                .ackRejection("1").inviteWithCredentials("2", "pbx2", "hidden").optional(100)
                .expect(404, "Reason: SIP;cause=404;text=\"No trunk for number\"").ackRejection("2");
        assertPassed(sipp(proven, "+15550901", 15, "-i", "127.0.0.5"), proven, "hidden-number-proven");
        SippScenario guessed = new SippScenario("hidden-number-guessed").invite("").optional(100).expect(407)
                .ackRejection("1").inviteWithCredentials("2", "pbx2", "guess").optional(100)
                .expect(403, "Reason: SIP;cause=403;text=\"Authentication failed\"").ackRejection("2");
        assertPassed(sipp(guessed, "+15550901", 15, "-i", "127.0.0.5"), guessed, "hidden-number-guessed");
    }

    @Test
    void aCallerMissingFromAllowedNumbersIsRejectedWith403() throws Exception {
        SippScenario scenario = new SippScenario("caller-not-allowed").invite("").optional(100)
                .expect(403, "Reason: SIP;cause=403;text=\"Caller not allowed\"").ackRejection("1");
        assertPassed(sipp(scenario, "+15550600", 10), scenario, "caller-not-allowed");
    }

    @Test
    void twoTrunksForOneCallAreAConflictRejectedWith500() throws Exception {
        SippScenario scenario = new SippScenario("trunk-conflict").invite("").optional(100)
                .expect(500, "Reason: SIP;cause=500;text=\"Conflicting trunks\"").ackRejection("1");
        assertPassed(sipp(scenario, "+15550700", 10), scenario, "trunk-conflict");
        gateway.awaitLog("SipTrunks twin-a and twin-b both accept the call", Duration.ofSeconds(5));
    }

    /** OPTIONS, REGISTER and a BYE for no call, from 127.0.0.2 (no trunk admits it): no answer to any of them. */
    @Test
    void unknownSourcesGetNoAnswerToAnyMethod() throws Exception {
        double before = gateway.metric("dialtone_gateway_requests_unanswered_total");
        java.net.InetAddress elsewhere = java.net.InetAddress.getByName("127.0.0.2");
        java.net.InetAddress loopback = java.net.InetAddress.getLoopbackAddress();
        try (java.net.DatagramSocket stranger = new java.net.DatagramSocket(0, elsewhere);
             java.net.DatagramSocket known = new java.net.DatagramSocket(0, loopback)) {
            for (String method : List.of("OPTIONS", "REGISTER", "BYE")) {
                assertThat(ask(stranger, method)).as("%s from an unknown source", method).isEmpty();
            }
            assertThat(ask(known, "OPTIONS")).as("OPTIONS from a trunk's address").hasValueSatisfying(
                    reply -> assertThat(reply).startsWith("SIP/2.0 200"));
        }
        assertThat(gateway.metric("dialtone_gateway_requests_unanswered_total")).isEqualTo(before + 3);
    }

    /** Sends one out-of-dialog request from {@code socket}; the first line of the answer, if one came within 1.5 s. */
    private static Optional<String> ask(java.net.DatagramSocket socket, String method) throws Exception {
        socket.setSoTimeout(1500);
        String host = socket.getLocalAddress().getHostAddress();
        String request = method + " sip:127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":" + socket.getLocalPort() + ";branch=z9hG4bK-" + method
                + System.nanoTime() + "\r\nFrom: <sip:scan@" + host + ">;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: scan-"
                + System.nanoTime()
                + "\r\nCSeq: 1 " + method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = request.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        socket.send(new java.net.DatagramPacket(bytes, bytes.length, java.net.InetAddress.getLoopbackAddress(),
                gateway.sipPort()));
        java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[4096], 4096);
        try {
            socket.receive(reply);
        } catch (java.net.SocketTimeoutException silence) {
            return Optional.empty();
        }
        return Optional.of(new String(reply.getData(), 0, reply.getLength(), java.nio.charset.StandardCharsets.US_ASCII)
                .lines().findFirst().orElse(""));
    }

    @Test
    void anOfferWithoutACommonCodecIsRejectedWith488() throws Exception {
        SippScenario scenario = new SippScenario("no-codec").inviteWithG729Only().optional(100)
                .expect(488, "Reason: SIP;cause=488;text=\"No common codec\"").ackRejection("1");
        assertPassed(sipp(scenario, "+15550199", 10), scenario, "no-codec");
        gateway.awaitLog("no common codec: the caller offered [G729/8000]", Duration.ofSeconds(5));
    }

    @Test
    void aSourceNoTrunkAllowsGetsNoAnswerAndIsCounted() throws Exception {
        SippScenario scenario = new SippScenario("unknown-source").invite("").expect(100);
        Processes.Result result = sipp(scenario, "+15550199", 3, "-i", "127.0.0.2");
        assertThat(result.exitCode()).as("sipp got an answer").isNotZero();
        assertThat(gateway.get("/metrics").body())
                .containsPattern("dialtone_gateway_calls_rejected_total\\{reason=\"unknown_source\",trunk=\"\"} [1-9]");
        assertThat(gateway.log()).contains("event=dropped").contains("source=127.0.0.2");
    }

    @Test
    void digestCredentialsOpenTheTrunk() throws Exception {
        SippScenario scenario = new SippScenario("digest-ok").invite("").optional(100)
                .expect(407, "Proxy-Authenticate: Digest .*qop=\"auth\"").ackRejection("1")
                .inviteWithCredentials("2", "pbx", "s3cret").optional(100).optional(180).expect(200).ack("2")
                .bye("3").expect(200);
        assertPassed(sipp(scenario, "+15550300", 15), scenario, "digest-ok");
    }

    @Test
    void aReplayedNonceIsRejectedWith403() throws Exception {
        SippScenario scenario = new SippScenario("digest-replay").invite("").optional(100).expect(407)
                .ackRejection("1").inviteWithCredentials("2", "pbx", "s3cret").optional(100).optional(180)
                .expect(200).ack("2").bye("3").expect(200)
                .inviteWithCredentials("4", "pbx", "s3cret").optional(100)
                .expect(403, "Reason: SIP;cause=403;text=\"Authentication failed\"").ackRejection("4");
        assertPassed(sipp(scenario, "+15550300", 15), scenario, "digest-replay");
        gateway.awaitLog("the nonce was already used", Duration.ofSeconds(5));
    }

    @Test
    void aWrongPasswordIsRejectedWith403() throws Exception {
        SippScenario scenario = new SippScenario("digest-wrong").invite("").optional(100).expect(407)
                .ackRejection("1").inviteWithCredentials("2", "pbx", "guess").optional(100)
                .expect(403, "Reason: SIP;cause=403;text=\"Authentication failed\"").ackRejection("2");
        assertPassed(sipp(scenario, "+15550300", 15), scenario, "digest-wrong");
        gateway.awaitLog("reason=auth_failed", Duration.ofSeconds(5));
        assertThat(gateway.log()).contains("did not prove the password of SipTrunk secure");
    }

    @Test
    void optionsIsAnsweredAsAKeepalive() throws Exception {
        SippScenario scenario = new SippScenario("options").options()
                .expect(200, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE");
        assertPassed(sipp(scenario, "+15550199", 10), scenario, "options");
    }

    @Test
    void aCallOverTcpWorksLikeOneOverUdp() throws Exception {
        SippScenario scenario = callFlow("over-tcp", 500);
        assertPassed(sipp(scenario, "+15550199", 15, "-t", "t1"), scenario, "over-tcp");
    }

    @Test
    void holdIsAnsweredWithTheDirectionMirrored() throws Exception {
        SippScenario scenario = new SippScenario("hold").invite("").optional(100).optional(180).expect(200).ack("1")
                .reInvite("2", "sendonly").optional(100).expect(200, "a=recvonly").ack("2")
                .reInvite("3", "sendrecv").optional(100).expect(200, "a=sendrecv").ack("3")
                .bye("4").expect(200);
        assertPassed(sipp(scenario, "+15550199", 15), scenario, "hold");
    }

    @Test
    void dtmfByInfoIsAcceptedAndOtherMethodsGet405() throws Exception {
        SippScenario scenario = new SippScenario("info").invite("").optional(100).optional(180).expect(200).ack("1")
                .inDialog("INFO", "2", "application/dtmf-relay", "Signal=5\nDuration=160\n").expect(200)
                .inDialog("MESSAGE", "3", "text/plain", "hello").expect(405, "Allow: INVITE, ACK, CANCEL, BYE")
                .bye("4").expect(200);
        assertPassed(sipp(scenario, "+15550199", 15), scenario, "info");
        gateway.awaitLog("via=info digit=5", Duration.ofSeconds(5));
    }

    /**
     * A PIN rule answers at once and speaks the prompt on the call's RTP stream; the right PIN (RFC 4733 digits,
     * typed during the prompt) puts the caller in the rule's room, counted there.
     */
    @Test
    void theRightPinOpensAProtectedRoom() throws Exception {
        long ruleTotal = stat("rules", "boardroom", "total");
        Path pin = RtpPcap.dtmf(DIR.resolve("dtmf-4321#.pcap"), "4321#", 101);
        try (RtpEar ear = RtpEar.listen()) {
            SippScenario scenario = new SippScenario("pin-right").inviteWithMediaAt(ear.port()).optional(100)
                    .expect(200).ack("1").pause(1500).playPcap(pin).pause(3000).bye("2").expect(200);
            CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550800", "+15550100", 30);
            await("the caller in room boardroom", Duration.ofSeconds(15),
                    () -> rooms.listParticipants("boardroom").execute().body().stream()
                            .filter(p -> p.getIdentity().equals("sip_+15550100")).findFirst());
            assertPassed(call.get(), scenario, "pin-right");
            assertThat(ear.packets()).as("RTP packets of the prompt").isGreaterThan(50);
            assertThat(ear.loudestSample()).as("the prompt is audible").isGreaterThan(2000);
        }
        gateway.awaitLog("event=answered call=", Duration.ofSeconds(5));
        assertThat(gateway.log()).contains("event=pin_prompt").contains("event=pin_accepted")
                .containsPattern("event=answered .* rule=boardroom room=boardroom .*pin=true");
        assertThat(stat("rules", "boardroom", "total")).isEqualTo(ruleTotal + 1);
    }

    /**
     * A stranger who finds a PIN call's RTP port (127.0.0.2, neither the caller's SDP nor its signalling address)
     * sends the right PIN there before the caller sends anything: the digits are dropped and counted. The same digits
     * from the caller's declared address open the room, and the log says digits came, not which.
     */
    @Test
    void digitsFromAStrangerOnTheCallsRtpPortAreNeverPressed() throws Exception {
        try (RtpEar ear = RtpEar.listen();
             java.net.DatagramSocket stranger = new java.net.DatagramSocket(0,
                     java.net.InetAddress.getByName("127.0.0.2"))) {
            SippScenario scenario = new SippScenario("pin-stranger").inviteWithMediaAt(ear.port()).optional(100)
                    .expect(200).ack("1").pause(6000).bye("2").expect(200);
            int logged = gateway.log().length();
            CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550800", "+15550100", 30);
            String prompt = await("the PIN prompt", Duration.ofSeconds(10), () -> gateway.log().substring(logged)
                    .lines().filter(line -> line.contains("event=pin_prompt")).findFirst());
            int rtpPort = Integer.parseInt(prompt.replaceAll(".*rtpPort=(\\d+).*", "$1"));
            java.net.InetSocketAddress callPort = new java.net.InetSocketAddress(
                    java.net.InetAddress.getLoopbackAddress(), rtpPort);
            String callId = prompt.replaceAll(".*call=(\\S+).*", "$1");
            sendDigits(stranger, callPort, "4321#");
            gateway.awaitLog("event=rtp_foreign call=" + callId, Duration.ofSeconds(5));
            assertThat(gateway.log()).doesNotContain("event=pin_accepted call=" + callId)
                    .doesNotContain("event=dtmf call=" + callId);
            ear.sendDigits(callPort, "4321#");
            gateway.awaitLog("event=pin_accepted call=" + callId, Duration.ofSeconds(5));
            assertThat(gateway.log().lines().filter(line -> line.contains("event=dtmf call=" + callId)))
                    .as("the PIN's digits logged without their values").hasSize(5)
                    .allMatch(line -> line.endsWith("digit=hidden"));
            assertPassed(call.get(), scenario, "pin-stranger");
        }
    }

    /** A counter or gauge from the gateway's /metrics (Prometheus text), 0 when not there yet. */
    /**
     * RFC 4733 events for {@code digits} from {@code socket}, the packets of {@link RtpPcap#dtmf}; sent at once, since
     * the gateway reads digits as they come, whatever their pacing.
     */
    private static void sendDigits(java.net.DatagramSocket socket, java.net.InetSocketAddress to, String digits)
            throws java.io.IOException {
        for (RtpPcap.Timed timed : RtpPcap.dtmfPackets(digits, 101)) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(timed.packet().length());
            timed.packet().writeTo(bytes);
            socket.send(new java.net.DatagramPacket(bytes.array(), bytes.position(), to));
        }
    }

    /** A wrong PIN (SIP INFO digits) gets one more try; a second wrong one is told so and hung up. */
    @Test
    void aWrongPinTwiceIsRefusedAndHungUp() throws Exception {
        long rejected = stat("rules", "boardroom", "rejected");
        SippScenario scenario = new SippScenario("pin-wrong").invite("").optional(100).expect(200).ack("1").pause(500);
        int cseq = 2;
        for (String digit : new String[] {"1", "1", "#", "9", "#"}) {
            scenario.inDialog("INFO", String.valueOf(cseq++), "application/dtmf-relay",
                    "Signal=" + digit + "\nDuration=160\n").expect(200);
        }
        scenario.expectRequestAndAnswer("BYE", 20000);
        assertPassed(sipp(scenario, "+15550800", 40), scenario, "pin-wrong");
        gateway.awaitLog("reason=pin_incorrect", Duration.ofSeconds(5));
        assertThat(gateway.log()).containsPattern("event=rejected .* rule=boardroom status=BYE reason=pin_incorrect "
                + "detail=\".*\\(2 attempts\\)\"");
        assertThat(stat("rules", "boardroom", "rejected")).isEqualTo(rejected + 1);
    }

    /** A UDP port standing in for the caller's media address: it counts the gateway's RTP and decodes PCMA/PCMU. */
    private static final class RtpEar implements AutoCloseable {
        private final java.net.DatagramSocket socket;
        private final Thread reader;
        private volatile int packets;
        private volatile int loudest;

        private RtpEar(java.net.DatagramSocket socket) {
            this.socket = socket;
            this.reader = new Thread(this::read, "rtp-ear");
            reader.setDaemon(true);
            reader.start();
        }

        static RtpEar listen() throws java.net.SocketException {
            return new RtpEar(new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()));
        }

        int port() {
            return socket.getLocalPort();
        }

        int packets() {
            return packets;
        }

        int loudestSample() {
            return loudest;
        }

        /** Digits sent from this port, the caller's declared media address. */
        void sendDigits(java.net.InetSocketAddress to, String digits) throws Exception {
            GatewaySignallingIT.sendDigits(socket, to, digits);
        }

        private void read() {
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
            try {
                while (true) {
                    socket.receive(packet);
                    byte[] data = packet.getData();
                    int type = data[1] & 0x7F;
                    packets++;
                    for (int i = 12; i < packet.getLength() && (type == 0 || type == 8); i++) {
                        int sample = type == 0 ? io.dialtone.gateway.media.G711.decodeUlaw(data[i])
                                : io.dialtone.gateway.media.G711.decodeAlaw(data[i]);
                        loudest = Math.max(loudest, Math.abs(sample));
                    }
                }
            } catch (java.io.IOException closed) {
                // The socket closed: the test is done listening.
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void dtmfAsRfc4733EventsIsReadDigitByDigitEachOnce() throws Exception {
        Path pcap = RtpPcap.dtmf(DIR.resolve("dtmf-123#.pcap"), "123#", 101);
        SippScenario scenario = new SippScenario("rfc4733").invite("").optional(100).optional(180).expect(200)
                .ack("1").playPcap(pcap).pause(2000).bye("2").expect(200);
        assertPassed(sipp(scenario, "+15550199", 20), scenario, "rfc4733");
        gateway.awaitLog("via=rfc4733 digit=#", Duration.ofSeconds(5));
        List<String> digits = gateway.log().lines().filter(line -> line.contains("via=rfc4733"))
                .map(line -> line.substring(line.indexOf("digit=") + 6).trim()).toList();
        assertThat(digits).containsExactly("1", "2", "3", "#");
    }

    /** Sends one raw SIP request over UDP and returns the first response line. */
    private static String exchange(java.net.DatagramSocket socket, String request) throws Exception {
        byte[] bytes = request.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        socket.send(new java.net.DatagramPacket(bytes, bytes.length, java.net.InetAddress.getLoopbackAddress(),
                gateway.sipPort()));
        while (true) {
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[4096], 4096);
            socket.receive(reply);
            String text = new String(reply.getData(), 0, reply.getLength(), java.nio.charset.StandardCharsets.US_ASCII);
            if (!text.startsWith("SIP/2.0 100")) {
                return text.lines().findFirst().orElse("");
            }
        }
    }

    @Test
    void aRetransmittedRejectedInviteGetsTheSameAnswerAndIsCountedOnce() throws Exception {
        long before = stat("trunks", "carrier", "rejected");
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            String invite = "INVITE sip:+15550500@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-retransmit-1\r\n"
                    + "From: <sip:+15550100@carrier.example>;tag=retransmit\r\nTo: <sip:+15550500@127.0.0.1>\r\n"
                    + "Call-ID: retransmit-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                    + "Contact: <sip:+15550100@127.0.0.1:" + socket.getLocalPort() + ">\r\nContent-Length: 0\r\n\r\n";
            String first = exchange(socket, invite);
            String again = exchange(socket, invite);
            assertThat(first).startsWith("SIP/2.0 404 ");
            assertThat(again).isEqualTo(first);
        }
        assertThat(stat("trunks", "carrier", "rejected")).isEqualTo(before + 1);
    }

    /**
     * A request whose CSeq does not parse gets no answer (a response would be built from headers that could not be
     * read, at an address the sender claims); nor does one whose reason phrase would carry the parser's text. The
     * gateway counts it and stays healthy.
     */
    @Test
    void aMalformedRequestIsDroppedUnansweredAndCounted() throws Exception {
        double before = gateway.metric("dialtone_gateway_sip_malformed_total");
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(2000);
            String broken = "INVITE sip:+15550199@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-broken\r\n"
                    + "From: <sip:+15550100@carrier.example>;tag=1\r\nTo: <sip:+15550199@127.0.0.1>\r\n"
                    + "Call-ID: broken-1\r\nCSeq: many INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
            byte[] bytes = broken.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            socket.send(new java.net.DatagramPacket(bytes, bytes.length, java.net.InetAddress.getLoopbackAddress(),
                    gateway.sipPort()));
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[4096], 4096);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> socket.receive(reply)).as("no answer")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
        assertThat(gateway.metric("dialtone_gateway_sip_malformed_total")).isEqualTo(before + 1);
        assertThat(gateway.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void deletingTheRoomHangsUpTheCaller() throws Exception {
        SippScenario scenario = new SippScenario("room-deleted").invite("").optional(100).optional(180).expect(200)
                .ack("1").expectRequestAndAnswer("BYE", 15000);
        CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550199", "+15550777", 25);
        LivekitModels.Room room = await("the call's room", Duration.ofSeconds(10),
                () -> roomStartingWith("sip-call-_+15550777_"));
        assertThat(rooms.deleteRoom(room.getName()).execute().isSuccessful()).isTrue();
        assertPassed(call.get(), scenario, "room-deleted");
        gateway.awaitLog("room=" + room.getName() + " by=gateway why=\"room deleted\"", Duration.ofSeconds(5));
    }

    @Test
    void removingTheParticipantHangsUpTheCaller() throws Exception {
        SippScenario scenario = new SippScenario("participant-removed").invite("").optional(100).optional(180)
                .expect(200).ack("1").expectRequestAndAnswer("BYE", 15000);
        CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550199", "+15550888", 25);
        LivekitModels.Room room = await("the call's room", Duration.ofSeconds(10),
                () -> roomStartingWith("sip-call-_+15550888_"));
        await("the caller's participant", Duration.ofSeconds(10),
                () -> rooms.listParticipants(room.getName()).execute().body().stream().findFirst());
        assertThat(rooms.removeParticipant(room.getName(), "sip_+15550888").execute().isSuccessful()).isTrue();
        assertPassed(call.get(), scenario, "participant-removed");
        gateway.awaitLog("by=gateway why=\"participant removed from the room\"", Duration.ofSeconds(5));
    }

    /** LiveKit's SipTrunk headers on the 200 OK, and attributesToHeaders: attributes an agent set, on the BYE. */
    @Test
    void theTrunksHeadersGoOnThe200AndAttributesAnAgentSetGoBackOnTheBye() throws Exception {
        SippScenario scenario = new SippScenario("trunk-headers").invite("").optional(100).optional(180)
                .expect(200, "X-Line: agents").ack("1")
                .expectRequestAndAnswer("BYE", 15000, "X-Outcome: booked a table");
        CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550450", "+15550451", 25);
        LivekitModels.Room room = await("the call's room", Duration.ofSeconds(10),
                () -> roomStartingWith("desk-_+15550451_"));
        await("the caller's participant", Duration.ofSeconds(10),
                () -> rooms.listParticipants(room.getName()).execute().body().stream().findFirst());
        assertThat(rooms.updateParticipant(room.getName(), "sip_+15550451", null, null, null,
                java.util.Map.of("outcome", "booked a table")).execute().isSuccessful()).isTrue();
        // LiveKit tells the participant of its new attributes before it tells it to leave, on the same connection.
        assertThat(rooms.removeParticipant(room.getName(), "sip_+15550451").execute().isSuccessful()).isTrue();
        assertPassed(call.get(), scenario, "trunk-headers");
    }

    /**
     * A callee rule's room is named for the called number; the trunk admits a CIDR, 127.0.1.0/29: 127.0.1.3 is in,
     * 127.0.1.9 is out (and, being admitted by no trunk, gets no answer at all).
     */
    @Test
    void aCalleeRuleNamesTheRoomForTheCalledNumberFromSourcesInTheTrunksCidr() throws Exception {
        SippScenario scenario = callFlow("callee", 2000);
        Path file = scenario.write(DIR.resolve("sipp"));
        CompletableFuture<Processes.Result> call = CompletableFuture.supplyAsync(() -> {
            try {
                return Sipp.call(file, gateway.sipPort(), "+15550480", "+15550481", 20, "-i", "127.0.1.3");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        LivekitModels.Room room = await("the callee's room", Duration.ofSeconds(10),
                () -> roomStartingWith("callee_"));
        assertThat(room.getName()).isEqualTo("callee_+15550480");
        assertPassed(call.get(), scenario, "callee");

        SippScenario outside = new SippScenario("callee-outside-cidr").invite("").expect(100);
        Processes.Result refused = Sipp.call(outside.write(DIR.resolve("sipp")), gateway.sipPort(), "+15550480",
                "+15550482", 3, "-i", "127.0.1.9");
        assertThat(refused.exitCode()).as("no answer from outside the CIDR").isNotZero();
        gateway.awaitLog("source=127.0.1.9 reason=unknown_source", Duration.ofSeconds(5));
    }

    /** A trunk that admits an IPv6 CIDR takes a call from inside it, over IPv6 signalling and an IP6 offer. */
    @Test
    void anIpv6SourceInTheTrunksCidrIsAnswered() throws Exception {
        Path v6 = DIR.resolve("ipv6.yaml");
        Files.writeString(v6, Documents.join(
                Documents.gateway("v6", livekit.httpUrl().replace("http://", "ws://"), 34000, ""),
                Documents.trunk("v6-carrier", "numbers: ['+15550199'], allowedAddresses: ['::1/128']"),
                Documents.rule("v6-rooms", "  individual: {roomPrefix: v6}")));
        try (GatewayProcess gateway6 = GatewayProcess.startOn("::1", v6, DIR.resolve("gateway-v6"))) {
            SippScenario scenario = callFlow("ipv6", 300);
            Path file = scenario.write(DIR.resolve("sipp"));
            Processes.Result result = Sipp.callOn("::1", file, gateway6.sipPort(), "+15550199", "+15550198", 20);
            assertThat(result.exitCode()).as("sipp: %s\n%s\ngateway log:\n%s", result.err(), Sipp.messages(file),
                    gateway6.log()).isZero();
            assertThat(gateway6.log()).contains("event=answered").contains("trunk=v6-carrier rule=v6-rooms");
        }
    }

    /** As LiveKit does: a room's agents are dispatched once, not again with every call into the room. */
    @Test
    void aSecondCallIntoARoomDoesNotDispatchItsAgentAgain() throws Exception {
        SippScenario first = callFlow("lobby-first", 4000);
        CompletableFuture<Processes.Result> held = inBackground(first, "+15550470", "+15550471", 25);
        await("the lobby room", Duration.ofSeconds(10), () -> roomStartingWith("agent-lobby"));
        SippScenario second = callFlow("lobby-second", 200);
        assertPassed(sipp(second, "+15550470", 20), second, "lobby-second");
        assertPassed(held.get(), first, "lobby-first");
        AgentDispatchServiceClient agents = AgentDispatchServiceClient.createClient(livekit.httpUrl(),
                LiveKitServer.API_KEY, LiveKitServer.API_SECRET);
        // livekit-server adds an unnamed dispatch of its own to each room it makes; the named ones are the rule's.
        assertThat(agents.listDispatch("agent-lobby").execute().body()).extracting(dispatch -> dispatch.getAgentName())
                .filteredOn(name -> !name.isEmpty()).containsExactly("receptionist");
    }

    @Test
    void theCallerLeavesTheRoomWhenTheCallEnds() throws Exception {
        SippScenario scenario = callFlow("leaves-room", 1500);
        CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550199", "+15550999", 25);
        LivekitModels.Room room = await("the call's room", Duration.ofSeconds(10),
                () -> roomStartingWith("sip-call-_+15550999_"));
        await("the caller's participant", Duration.ofSeconds(10),
                () -> rooms.listParticipants(room.getName()).execute().body().stream().findFirst());
        assertPassed(call.get(), scenario, "leaves-room");
        await("the room without the caller", Duration.ofSeconds(5),
                () -> rooms.listParticipants(room.getName()).execute().body().isEmpty() ? Optional.of(true)
                        : Optional.empty());
    }

    @Test
    void aConfigurationChangeAppliesWithoutTouchingACallInProgress() throws Exception {
        SippScenario scenario = callFlow("during-reload", 4000);
        CompletableFuture<Processes.Result> call = inBackground(scenario, "+15550199", "+15550100", 20);
        String before = revision();
        await("the call to be answered", Duration.ofSeconds(10),
                () -> gateway.log().contains("during-reload") || gateway.get("/stats").body().contains("\"active\":1")
                        ? Optional.of(true) : Optional.empty());
        Files.writeString(config, configYaml(livekit.httpUrl().replace("http://", "ws://"),
                "---\n" + Documents.rule("late-numbers", """
                          trunkRefs: [carrier]
                          numbers: ["+15550500"]
                          callee: {roomPrefix: late}
                        """)));
        String after = await("the new revision", Duration.ofSeconds(10),
                () -> Optional.of(revision()).filter(r -> !r.equals(before)));
        assertThat(after).isNotEqualTo(before);
        assertPassed(call.get(), scenario, "during-reload");
        assertThat(gateway.log()).contains("applied configuration revision " + after + " (was " + before + ")");

        Files.writeString(config, "this: [is not valid");
        await("the refusal", Duration.ofSeconds(10), () -> gateway.log().contains("still running revision " + after)
                ? Optional.of(true) : Optional.empty());
        assertThat(revision()).isEqualTo(after);
        Files.writeString(config, configYaml(livekit.httpUrl().replace("http://", "ws://"), ""));
    }

    /**
     * LiveKit credentials are read from the routing in force for each call: a wrong secret fails calls with 503, and
     * the corrected one works from the next call on, without a restart.
     */
    @Test
    void rotatedLiveKitCredentialsTakeEffectWithoutARestart() throws Exception {
        String url = livekit.httpUrl().replace("http://", "ws://");
        try {
            String before = revision();
            Files.writeString(config, configYaml(url, "").replace("apiSecret: secret", "apiSecret: not-the-secret"));
            await("the revision with the wrong secret", Duration.ofSeconds(10),
                    () -> Optional.of(revision()).filter(r -> !r.equals(before)));
            SippScenario refused = new SippScenario("wrong-livekit-secret").invite("").optional(100).optional(180)
                    .expect(503, "Reason: SIP;cause=503;text=\"Room unavailable\"").ackRejection("1");
            assertPassed(sipp(refused, "+15550199", 15), refused, "wrong-livekit-secret");
            assertThat(gateway.log()).contains("event=livekit_connection_changed");

            String wrong = revision();
            Files.writeString(config, configYaml(url, ""));
            await("the revision with the right secret", Duration.ofSeconds(10),
                    () -> Optional.of(revision()).filter(r -> !r.equals(wrong)));
            SippScenario scenario = callFlow("right-livekit-secret", 200);
            assertPassed(sipp(scenario, "+15550199", 15), scenario, "right-livekit-secret");
        } finally {
            Files.writeString(config, configYaml(url, ""));
        }
    }

    private static String revision() throws Exception {
        String stats = gateway.get("/stats").body();
        int start = stats.indexOf("\"revision\":\"") + 12;
        return stats.substring(start, stats.indexOf('"', start));
    }

    @Test
    void aStatsDocumentSaysWhoAndWhat() throws Exception {
        String stats = gateway.get("/stats").body();
        assertThat(stats).contains("\"pod\":{\"name\":").contains("\"revision\":\"").contains("\"draining\":false");
        assertThat(gateway.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(gateway.get("/readyz").statusCode()).isEqualTo(200);
        List.of("/metrics", "/stats").forEach(path -> {
            try {
                assertThat(gateway.get(path).statusCode()).isEqualTo(200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The metric names charts/dialtone/dashboards/gateway.json queries, each followed by its labels or a value. */
    private static List<String> dashboardMetrics() throws IOException {
        String dashboard = Files.readString(Toolchain.root().resolve("charts/dialtone/dashboards/gateway.json"));
        return java.util.regex.Pattern.compile("\\b((?:dialtone|jvm|process)_[a-z_]+)\\{").matcher(dashboard).results()
                .map(m -> m.group(1)).distinct().toList();
    }
}
