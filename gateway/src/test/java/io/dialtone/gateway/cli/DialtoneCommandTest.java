package io.dialtone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DialtoneCommandTest {
    private static final String QUICKSTART = Path.of("..", "examples", "quickstart").toString();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = DialtoneCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** `lk sip inbound list --json` and `lk sip dispatch list --json`, imported, load as the gateway would load them. */
    @Test
    void importedLiveKitTrunksAndRulesValidate(@TempDir Path dir) throws Exception {
        Path trunks = Files.writeString(dir.resolve("trunks.json"), """
                {"items": [{"sipTrunkId": "ST_abc", "name": "Main line", "numbers": ["+15550100"],
                  "allowedAddresses": ["203.0.113.0/24"], "authUsername": "pbx", "authPassword": "s3cret"}]}
                """);
        Path rules = Files.writeString(dir.resolve("rules.json"), """
                {"items": [{"sipDispatchRuleId": "SDR_1", "name": "desk", "trunkIds": ["ST_abc"],
                  "rule": {"dispatchRuleIndividual": {"roomPrefix": "call", "pin": "12345"}}},
                  {"sipDispatchRuleId": "SDR_2", "roomPreset": "cloud-preset",
                  "rule": {"dispatchRuleDirect": {"roomName": "lobby"}}}]}
                """);
        assertThat(run("import", trunks.toString(), rules.toString(), "--gateway-ref", "dialtone"))
                .as("one rule has no equivalent").isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("not imported: dispatch rule SDR_2 left out: room_preset cloud-preset");
        assertThat(out.toString()).as("strings stay strings for kubectl").contains("pin: \"12345\"")
                .contains("- \"+15550100\"");
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("sip.yaml"), out.toString());
        Files.writeString(config.resolve("gateway.yaml"), """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: dialtone}
                spec: {livekit: {url: "ws://127.0.0.1:7880", apiKey: devkey, apiSecret: secret}}
                """);
        out.getBuffer().setLength(0);
        assertThat(run("validate", "-c", config.toString())).as(err.toString()).isZero();
        assertThat(run("route", "-c", config.toString(), "--from", "+15550111", "--to", "+15550100", "--source",
                "203.0.113.7", "--pin", "12345")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("main-line (for [+15550100]; the gateway first challenges for digest "
                + "credentials of user pbx)").contains("desk (individual");
    }

    @Test
    void routePrintsTheRoomAndParticipantOfAnAcceptedCall() {
        int code = run("route", "--config", QUICKSTART, "--from", "+15550100", "--to", "+15550199", "--source", "203.0.113.7");
        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("trunk   any-caller (default trunk; no authentication)")
                .contains("rule    room-per-caller (individual, priority 2101)")
                .containsPattern("ACCEPT  room sip-call-_\\+15550100_[0-9A-Za-z]{12}")
                .contains("participant sip_+15550100 \"Phone +15550100\"");
    }

    @Test
    void routeExplainsARejectionAndExitsWithThree(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c.yaml"), Files.readString(Path.of(QUICKSTART, "gateway.yaml")) + """
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                spec: {numbers: ["+15550199"]}
                """);
        int code = run("route", "-c", dir.toString(), "--from", "+15550100", "--to", "+15550199");
        assertThat(code).isEqualTo(3);
        assertThat(out.toString()).contains("REJECT  404 No dispatch rule (no_rule)")
                .contains("Reason: SIP;cause=404;text=\"No dispatch rule\"")
                .contains("warning: SipTrunk carrier: no DispatchRule takes calls");
    }

    @Test
    void routeAsJsonIsMachineReadable() {
        int code = run("route", "-c", QUICKSTART, "--from", "+15550100", "--to", "+15550199", "--json");
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("{").contains("\"decision\" : \"accept\"").contains("\"rule\" : \"room-per-caller\"");
    }

    @Test
    void badFlagsAreRefusedWithAMessage() {
        assertThat(run("route", "-c", QUICKSTART, "--from", "1", "--to", "2", "--pin", "12a")).isEqualTo(2);
        assertThat(err.toString()).contains("--pin takes 1 to 16 digits");
        assertThat(run("route", "-c", QUICKSTART, "--from", "1", "--to", "2", "--source", "example.com")).isEqualTo(2);
        assertThat(err.toString()).contains("--source takes an IP address");
    }

    @Test
    void validateListsEveryProblemAndExitsWithOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c.yaml"), """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: gw}
                spec:
                  livekit: {url: "ftp://x"}
                """);
        assertThat(run("validate", "-c", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("has 2 problem(s)")
                .contains("SipGateway gw: spec.livekit.url: livekit.url must start with ws://")
                .contains("spec.livekit: set either credentialsSecret");
    }

    @Test
    void validateAcceptsTheExamples() {
        assertThat(run("validate", "-c", QUICKSTART)).isZero();
        assertThat(out.toString()).endsWith("ok" + System.lineSeparator());
    }
}
