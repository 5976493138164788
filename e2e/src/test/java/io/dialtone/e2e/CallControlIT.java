package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.e2e.support.AttemptProcesses;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.ClientCrashed;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.ScriptResult;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junitpioneer.jupiter.RetryingTest;

/**
 * Call control from the room, end to end: the agent in examples/call-control (the real Python LiveKit client)
 * transfers, hangs up and sends digits through livekit-server to the gateway jar, and sipp plays the caller's side of
 * the REFER, its NOTIFYs and the BYE, all inside a network namespace of the test's own.
 */
class CallControlIT {
    private static final Path DIR = Path.of("target", "call-control-it").toAbsolutePath();
    private static final String LIVEKIT = BridgedGateway.LIVEKIT;
    private static final String GATEWAY = BridgedGateway.GATEWAY;
    private static final Path AGENT = Toolchain.root().resolve("examples/call-control/agent.py");
    private static BridgedGateway bridged;
    private static NetworkNamespace namespace;
    @RegisterExtension
    final AttemptProcesses attempts = new AttemptProcesses(() -> namespace);

    @BeforeAll
    static void start() throws Exception {
        NetworkNamespace.assumeAvailable("CallControlIT");
        bridged = BridgedGateway.start(DIR, "rtpPortRange: {min: 20000, max: 20100}, codecs: [PCMU]", """
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: any}
                spec: {answerWhen: joined}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: transfer}
                spec: {numbers: ["+15550501"], direct: {roomName: control-transfer}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: refused}
                spec: {numbers: ["+15550502"], direct: {roomName: control-refused}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: digits}
                spec: {numbers: ["+15550503"], direct: {roomName: control-digits}}
                """, List.of());
        namespace = bridged.namespace();
    }

    @AfterAll
    static void stop() throws Exception {
        if (bridged != null) {
            bridged.close();
        }
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void anAgentTransfersTheCallerAndTheCallEndsOnceTheTargetAnswers() throws Exception {
        SippScenario caller = new SippScenario("transferred").invite("").optional(100).optional(180).expect(200)
                .ack("1")
                .expectReferAndAccept(40_000, "Refer-To: <tel:\\+15550123>")
                .notifyTransfer("2", "100 Trying").expect(200)
                .notifyTransfer("3", "200 OK").expect(200)
                .expectRequestAndAnswer("BYE", 10_000, "text=\"transferred to tel:\\+15550123\"");
        Process sipp = startSipp(caller, "+15550501", 5081);
        List<JsonNode> results = agent("control-transfer", "transfer=+15550123");
        assertThat(sippSucceeded(sipp, caller)).isTrue();
        assertThat(results).singleElement().satisfies(result -> assertThat(result.path("result")
                .path("transferredTo").asText()).isEqualTo("tel:+15550123"));
        assertThat(bridged.gatewayLog()).contains("event=transfer ", "by=call-control-agent",
                "event=hangup call=", "why=\"transferred to tel:+15550123\"");
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void aParticipantThatIsNotAnAgentIsRefusedAFailedTransferIsReportedAndTheAgentHangsUp() throws Exception {
        SippScenario caller = new SippScenario("refused").invite("").optional(100).optional(180).expect(200)
                .ack("1")
                .expectReferAndAccept(60_000, "Refer-To: <sip:sales@pbx\\.example>")
                .notifyTransfer("2", "486 Busy Here").expect(200)
                .expectRequestAndAnswer("BYE", 20_000, "text=\"hung up by call-control-agent in the room\"");
        Process sipp = startSipp(caller, "+15550502", 5082);
        Processes.Result visitor = namespace.run(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/rpc_as_visitor.py").toString(),
                "ws://" + LIVEKIT + ":7880", "control-refused"), DIR, 60);
        ClientCrashed.check("rpc_as_visitor.py", visitor.exitCode(), visitor.out() + visitor.err());
        assertThat(visitor.out()).as("the visitor's hang-up: %s", visitor.err())
                .contains("\"code\": 1500", "only participants of kind agent may control a phone call; "
                        + "visitor is standard");

        List<JsonNode> results = agent("control-refused", "transfer=sip:sales@pbx.example", "hangup");
        assertThat(sippSucceeded(sipp, caller)).isTrue();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("error").path("code").asInt()).isEqualTo(1500);
        assertThat(results.get(0).path("error").path("message").asText())
                .isEqualTo("the call to sip:sales@pbx.example failed: 486 Busy Here");
        assertThat(results.get(1).path("result").isObject()).as("hang-up: %s", results.get(1)).isTrue();
    }

    @RetryingTest(maxAttempts = 2, onExceptions = ClientCrashed.class)
    void anAgentsDigitsReachTheCallerAsRfc4733Events() throws Exception {
        int phonePort = 31010;
        Path heardFile = DIR.resolve("digits.heard");
        Process ear = namespace.start(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("e2e/src/test/resources/media/rtp_listen.py").toString(), GATEWAY,
                String.valueOf(phonePort), "8", "1000"), Map.of(), heardFile);
        SippScenario caller = new SippScenario("digits").inviteWithMediaAt(phonePort).optional(100).optional(180)
                .expect(200).ack("1").pause(9000).bye("2").expect(200);
        Process sipp = startSipp(caller, "+15550503", 5083);
        List<JsonNode> results = agent("control-digits", "dtmf=159#");
        assertThat(sippSucceeded(sipp, caller)).isTrue();
        assertThat(ear.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(results).singleElement().satisfies(result -> assertThat(result.has("result")).isTrue());
        assertThat(ScriptResult.of(heardFile, "the RTP listener").path("digits").asText()).isEqualTo("159#");
    }

    /** Runs the example agent in {@code room} with {@code actions}; its JSON lines. */
    private static List<JsonNode> agent(String room, String... actions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Toolchain.python().toString(), AGENT.toString(),
                "ws://" + LIVEKIT + ":7880", room));
        command.addAll(List.of(actions));
        Processes.Result agent = namespace.run(command, DIR, 120);
        java.nio.file.Files.writeString(DIR.resolve("agent-" + room + ".out"), agent.out() + agent.err());
        ClientCrashed.check("agent.py", agent.exitCode(), agent.out() + agent.err());
        assertThat(agent.exitCode()).as("agent.py: %s%s", agent.out(), agent.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> results = new ArrayList<>();
        for (String line : agent.out().lines().filter(line -> line.startsWith("{")).toList()) {
            results.add(json.readTree(line));
        }
        return results;
    }

    private static Process startSipp(SippScenario call, String to, int port) throws Exception {
        Path scenario = call.write(DIR);
        List<String> command = Sipp.command(scenario, GATEWAY + ":5060", GATEWAY, port, to, "+15550100",
                "-timeout", "120", "-m", "1", "-error_file", DIR.resolve(scenario.getFileName() + ".errors").toString());
        return namespace.start(command, Map.of(), DIR.resolve(scenario.getFileName() + ".log"));
    }

    private static boolean sippSucceeded(Process sipp, SippScenario call) throws Exception {
        boolean ended = sipp.waitFor(90, TimeUnit.SECONDS);
        if (!ended || sipp.exitValue() != 0) {
            String log = bridged.gatewayLog();
            throw new AssertionError("sipp did not complete the call (" + (ended ? "exit " + sipp.exitValue()
                    : "still running") + "): " + BridgedGateway.read(DIR.resolve(call.write(DIR).getFileName()
                    + ".errors")) + "\ngateway log, last lines:\n" + log.substring(Math.max(0, log.length() - 6000)));
        }
        return true;
    }
}
