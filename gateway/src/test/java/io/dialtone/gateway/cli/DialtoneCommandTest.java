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
