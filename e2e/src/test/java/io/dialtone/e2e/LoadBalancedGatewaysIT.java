package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three gateway jars behind one UDP load balancer that sends every packet to any of them: nftables in a network
 * namespace of the test's own rewrites each packet for the shared address to one of the three at random, with no
 * connection tracking (so no two packets of a call are sure to meet the same gateway), and rewrites the gateways'
 * packets to the caller to come from the shared address, as a load balancer's return path does. sipp places 100 calls
 * from one socket through it, each with an ACK, a re-INVITE and its ACK, an INFO and a BYE: every one must be
 * answered by the gateway that holds the call. A re-INVITE is refused by a gateway that never saw the ACK before it,
 * so a lost ACK fails its call too.
 */
class LoadBalancedGatewaysIT {
    private static final Path DIR = Path.of("target", "load-balanced-it").toAbsolutePath();
    private static final String LIVEKIT = "10.203.0.1";
    private static final List<String> GATEWAYS = List.of("10.203.0.2", "10.203.0.3", "10.203.0.4");
    private static final String SHARED = "10.203.0.10";
    private static final String CALLER = "10.203.0.20";
    private static final int CALLS = 100;
    private static NetworkNamespace namespace;
    private static final List<Process> gateways = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        NetworkNamespace.assumeAvailable("LoadBalancedGatewaysIT");
        Files.createDirectories(DIR);
        String name = "dtlb" + ProcessHandle.current().pid() % 100000;
        namespace = NetworkNamespace.create(name, LIVEKIT, GATEWAYS.get(0));
        ip("-n", name, "addr", "add", GATEWAYS.get(1) + "/24", "dev", name + "1");
        ip("-n", name, "addr", "add", GATEWAYS.get(2) + "/24", "dev", name + "1");
        ip("-n", name, "addr", "add", CALLER + "/24", "dev", name + "0");
        ip("-n", name, "addr", "add", SHARED + "/32", "dev", "lo");
        Path rules = DIR.resolve("balancer.nft");
        Files.writeString(rules, """
                table ip balancer {
                  chain out {
                    type filter hook output priority raw;
                    ip daddr %1$s udp dport 5060 notrack ip daddr set numgen random mod 3 map { 0 : %2$s, 1 : %3$s, 2 : %4$s }
                    ip saddr { %2$s, %3$s, %4$s } udp sport 5060 ip daddr %5$s notrack ip saddr set %1$s
                  }
                }
                """.formatted(SHARED, GATEWAYS.get(0), GATEWAYS.get(1), GATEWAYS.get(2), CALLER));
        Processes.Result loaded = namespace.run(List.of("nft", "-f", rules.toString()), DIR, 10);
        assertThat(loaded.exitCode()).as("nft: %s", loaded.err()).isZero();

        BridgedGateway.startLiveKit(namespace, DIR, LIVEKIT);
        Path config = DIR.resolve("gateway.yaml");
        Files.writeString(config, """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: fleet}
                spec:
                  livekit: {url: "http://%s:7880", apiKey: devkey, apiSecret: secret}
                  sip: {port: 5060}
                  media: {rtpPortRange: {min: 20000, max: 20999}, bridgeAudio: false}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                spec: {answerWhen: joined}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: per-caller}
                spec: {individual: {roomPrefix: lb-}}
                """.formatted(LIVEKIT));
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < GATEWAYS.size(); i++) {
            peers.addAll(List.of("--peer", "gw-" + i + "=" + GATEWAYS.get(i) + ":5060"));
        }
        for (int i = 0; i < GATEWAYS.size(); i++) {
            List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-Xmx256m", "-jar",
                    Toolchain.root().resolve("gateway/target/dialtone-gateway.jar").toString(), "gateway",
                    "--config", config.toString(), "--bind", GATEWAYS.get(i), "--advertise", SHARED,
                    "--admin-bind", GATEWAYS.get(i), "--admin-port", "8080", "--peer-name", "gw-" + i,
                    "--invites-per-second", "0"));
            command.addAll(peers);
            gateways.add(namespace.start(command, Map.of(), DIR.resolve("gateway-" + i + ".log")));
        }
        for (String gateway : GATEWAYS) {
            Eventually.until("gateway " + gateway + " ready", Duration.ofSeconds(90),
                    () -> BridgedGateway.answers(namespace, DIR, "http://" + gateway + ":8080/readyz"),
                    () -> BridgedGateway.read(DIR.resolve("gateway-" + GATEWAYS.indexOf(gateway) + ".log")));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (namespace != null) {
            namespace.close();
        }
    }

    @Test
    void everyRequestOfEveryCallIsAnsweredByTheGatewayThatHoldsIt() throws Exception {
        SippScenario call = new SippScenario("spread").invite("").optional(100).optional(180).expect(200).ack("1")
                .pause(300).reInvite("2", "sendonly").optional(100).expect(200).ack("2")
                .inDialog("INFO", "3", "application/dtmf-relay", "Signal=5\nDuration=160\n").expect(200)
                .pause(300).bye("4").expect(200);
        Path scenario = call.write(DIR);
        List<String> command = Sipp.command(scenario, SHARED + ":5060", CALLER, 5090, "+15550199", "+15550100",
                "-m", String.valueOf(CALLS), "-r", "10", "-l", "20", "-timeout", "120", "-trace_stat", "-stf",
                DIR.resolve("spread.stat.csv").toString());
        long started = System.nanoTime();
        Processes.Result sipp = namespace.run(command, DIR, 180);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertThat(sipp.exitCode()).as("sipp: %s%s\n%s", sipp.out(), sipp.err(),
                BridgedGateway.read(DIR.resolve("spread.xml.errors"))).isZero();

        long answered = 0;
        long relayed = 0;
        for (int i = 0; i < GATEWAYS.size(); i++) {
            String log = BridgedGateway.read(DIR.resolve("gateway-" + i + ".log"));
            long own = log.lines().filter(line -> line.contains("event=answered")).count();
            assertThat(own).as("calls gateway %d answered: the balancer spreads new calls too", i).isPositive();
            assertThat(log).doesNotContain("event=relay_refused", "by=stack");
            answered += own;
            relayed += BridgedGateway.metric(namespace, DIR, GATEWAYS.get(i), "dialtone_gateway_sip_relayed_total",
                    "what=\"request\"");
        }
        assertThat(answered).as("calls answered by the three gateways together").isEqualTo(CALLS);
        assertThat(relayed).as("requests relayed to the gateway holding their call").isPositive();
        System.out.printf("LoadBalancedGatewaysIT: %d calls through one address over 3 gateways in %d s, every request"
                + " answered by its call's gateway; %d requests relayed%n", CALLS, seconds, relayed);
    }

    private static void ip(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Processes.Result result = Processes.run(command, DIR, 10);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + result.err());
        }
    }
}
