package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.KubeApi;
import io.dialtone.e2e.support.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs against a real kube-apiserver: they install, every example applies, kubectl shows the printer columns,
 * and resources the schema must refuse are refused with the messages written for them.
 */
class KubeApiContractIT {
    private static KubeApi api;

    @BeforeAll
    static void start() throws Exception {
        api = KubeApi.start(Path.of("target", "kube-api-contract-it"));
        api.installCrds(Toolchain.root().resolve("crds"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void everyClusterExampleAppliesServerSide() throws Exception {
        List<Path> dirs;
        try (Stream<Path> list = Files.list(Toolchain.root().resolve("examples"))) {
            // standalone holds ${VAR} placeholders that only the standalone gateway expands; argocd holds Argo CD's
            // objects (ArgoCdHealthIT covers them), sipp a call scenario and call-control an agent (CallControlIT
            // runs it), none for this API server
            dirs = list.filter(Files::isDirectory)
                    .filter(d -> !d.endsWith("standalone") && !d.endsWith("argocd") && !d.endsWith("sipp")
                            && !d.endsWith("call-control"))
                    .sorted().toList();
        }
        assertThat(dirs).isNotEmpty();
        for (Path dir : dirs) {
            String namespace = "example-" + dir.getFileName();
            api.kubectlOk(null, "create", "namespace", namespace);
            String out = api.kubectlOk(null, "apply", "--server-side", "-n", namespace, "-f", dir.toString());
            assertThat(out).as(dir.toString()).contains("serverside-applied");
        }
    }

    /** What `dialtone import` writes from LiveKit's JSON is what the API server takes, leading-zero PIN included. */
    @Test
    void importedLiveKitResourcesApply() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "kube-contract-it", "import").toAbsolutePath());
        Path json = Files.writeString(dir.resolve("livekit.json"), """
                [{"sipTrunkId": "ST_1", "name": "Main", "numbers": ["+15550100"], "allowedAddresses": ["203.0.113.0/24"],
                  "authUsername": "pbx", "authPassword": "s3cret", "includeHeaders": "SIP_ALL_HEADERS",
                  "ringingTimeout": "20s"},
                 {"sipDispatchRuleId": "SDR_1", "name": "Lobby", "trunkIds": ["ST_1"], "numbers": ["+15550100"],
                  "rule": {"dispatchRuleDirect": {"roomName": "lobby", "pin": "0123"}},
                  "roomConfig": {"emptyTimeout": 120, "agents": [{"agentName": "greeter"}]}}]
                """);
        Process importer = new ProcessBuilder("java", "-jar",
                Toolchain.root().resolve("gateway/target/dialtone-gateway.jar").toString(), "import", json.toString())
                .redirectOutput(dir.resolve("sip.yaml").toFile()).redirectError(dir.resolve("import.err").toFile())
                .start();
        assertThat(importer.waitFor()).as(Files.readString(dir.resolve("import.err"))).isZero();
        api.kubectlOk(null, "create", "namespace", "imported");
        String out = api.kubectlOk(null, "apply", "--server-side", "-n", "imported", "-f",
                dir.resolve("sip.yaml").toString());
        assertThat(out).contains("secret/main-auth serverside-applied", "secret/lobby-pin serverside-applied",
                "siptrunk.dialtone.io/main serverside-applied", "dispatchrule.dialtone.io/lobby serverside-applied");
        assertThat(api.kubectlOk(null, "get", "secret", "lobby-pin", "-n", "imported", "-o",
                "jsonpath={.data.pin}")).isEqualTo(java.util.Base64.getEncoder().encodeToString("0123".getBytes()));
    }

    @Test
    void theSipCategoryShortNamesAndPrinterColumnsWork() throws Exception {
        api.kubectlOk(null, "create", "namespace", "columns");
        api.kubectlOk(null, "apply", "--server-side", "-n", "columns", "-f",
                Toolchain.root().resolve("examples/quickstart").toString());
        api.kubectlOk("""
                {"status": {"activeCalls": 1, "totalCalls": 7, "rejectedCalls": 2,
                 "conditions": [{"type": "Ready", "status": "True", "reason": "Propagated", "message": "live",
                                 "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}
                """, "patch", "siptrunk", "any-caller", "-n", "columns", "--subresource=status", "--type=merge",
                "--patch-file=/dev/stdin");

        String trunks = api.kubectlOk(null, "get", "st", "-n", "columns");
        assertThat(trunks.lines().findFirst().orElseThrow()).contains("ACTIVE", "TOTAL", "REJECTED", "READY", "AGE");
        // The generator orders columns by JSON path: AGE, ACTIVE, READY, REJECTED, TOTAL.
        assertThat(trunks).containsPattern("any-caller\\s+\\S+\\s+1\\s+True\\s+2\\s+7");

        String all = api.kubectlOk(null, "get", "sip", "-n", "columns");
        assertThat(all).contains("sipgateway.dialtone.io/dialtone", "siptrunk.dialtone.io/any-caller",
                "dispatchrule.dialtone.io/room-per-caller");
        assertThat(api.kubectlOk(null, "get", "sgw,dr", "-n", "columns")).contains("dialtone", "room-per-caller");
    }

    @Test
    void kubectlExplainShowsTheFieldDescriptions() throws Exception {
        // The API server publishes a new CRD's OpenAPI schema a moment after the CRD is Established.
        Eventually.until("kubectl explain knows the CRDs", Duration.ofSeconds(30),
                () -> api.kubectl(null, "explain", "siptrunk.spec.allowedAddresses").exitCode() == 0,
                () -> "kubectl explain siptrunk.spec.allowedAddresses kept failing");
        assertThat(api.kubectlOk(null, "explain", "siptrunk.spec.allowedAddresses"))
                .contains("Sources allowed to call");
        assertThat(api.kubectlOk(null, "explain", "dispatchrule.spec.individual.noRandomness"))
                .contains("Leave the random suffix off");
    }

    @Test
    void theScaleSubresourceDrivesSpecReplicas() throws Exception {
        api.kubectlOk(null, "create", "namespace", "scale");
        api.kubectlOk(null, "apply", "--server-side", "-n", "scale", "-f",
                Toolchain.root().resolve("examples/quickstart").toString());
        api.kubectlOk(null, "scale", "sipgateway", "dialtone", "-n", "scale", "--replicas=3");
        assertThat(api.kubectlOk(null, "get", "sgw", "dialtone", "-n", "scale", "-o", "jsonpath={.spec.replicas}"))
                .isEqualTo("3");
    }

    static Stream<Arguments> refused() {
        String rule = "apiVersion: dialtone.io/v1alpha1\nkind: DispatchRule\nmetadata: {name: bad}\nspec:\n";
        String trunk = "apiVersion: dialtone.io/v1alpha1\nkind: SipTrunk\nmetadata: {name: bad}\nspec:\n";
        String gateway = "apiVersion: dialtone.io/v1alpha1\nkind: SipGateway\nmetadata: {name: bad}\nspec:\n"
                + "  livekit: {url: 'ws://lk:7880', apiKey: k, apiSecret: s}\n";
        return Stream.of(
                refused("a rule with two kinds", rule + "  individual: {}\n  direct: {roomName: x}\n",
                        SpecRules.ONE_RULE_KIND_MESSAGE),
                refused("a rule with no kind", rule + "  numbers: ['+1']\n", SpecRules.ONE_RULE_KIND_MESSAGE),
                refused("a PIN with letters", rule + "  direct: {roomName: x, pin: '12ab'}\n", SpecRules.PIN_MESSAGE),
                refused("a PIN longer than 16 digits", rule + "  direct: {roomName: x, pin: '12345678901234567'}\n",
                        "spec.direct.pin: Too long"),
                refused("a PIN inline and from a Secret",
                        rule + "  callee: {pin: '1', pinSecretRef: {name: s}}\n", SpecRules.PIN_SOURCE_MESSAGE),
                refused("a direct rule without a room", rule + "  direct: {pin: '1'}\n", "spec.direct.roomName: Required value"),
                refused("a room emptyTimeout that is not a duration",
                        rule + "  individual: {}\n  room: {emptyTimeout: soon}\n", SpecRules.DURATION_MESSAGE),
                refused("a CIDR with a prefix beyond 32", trunk + "  allowedAddresses: ['10.0.0.0/33']\n",
                        SpecRules.ADDRESSES_MESSAGE),
                refused("an address that is neither IP nor host", trunk + "  allowedAddresses: ['999.1.1.1']\n",
                        SpecRules.ADDRESSES_MESSAGE),
                refused("a called number with letters", trunk + "  numbers: ['call-me']\n", "spec.numbers[0]: Invalid value"),
                refused("a ringing timeout without unit", trunk + "  ringingTimeout: '30'\n", SpecRules.DURATION_MESSAGE),
                refused("digest auth both inline and from a Secret",
                        trunk + "  auth: {secretRef: {name: s}, username: u, password: p}\n", SpecRules.AUTH_MESSAGE),
                refused("digest auth with a user name and no password", trunk + "  auth: {username: u}\n",
                        SpecRules.AUTH_MESSAGE),
                refused("an unknown include-headers option", trunk + "  includeHeaders: some\n",
                        "supported values: \"all\", \"none\", \"x-headers\""),
                refused("an RTP range that starts odd", gateway + "  media: {rtpPortRange: {min: 10001, max: 20000}}\n",
                        SpecRules.PORT_RANGE_EVEN_MESSAGE),
                refused("an RTP range upside down", gateway + "  media: {rtpPortRange: {min: 20000, max: 10000}}\n",
                        SpecRules.PORT_RANGE_ORDER_MESSAGE),
                refused("a SIP port beyond 65535", gateway + "  sip: {port: 70000}\n",
                        "should be less than or equal to 65535"),
                refused("replicas together with autoscaling", gateway + "  replicas: 2\n  autoscaling: {maxReplicas: 4}\n",
                        SpecRules.REPLICAS_MESSAGE),
                refused("autoscaling with min above max", gateway + "  autoscaling: {minReplicas: 5, maxReplicas: 4}\n",
                        SpecRules.AUTOSCALING_MESSAGE),
                refused("tls without a certificate", gateway + "  sip: {transports: [udp, tls]}\n", SpecRules.TLS_MESSAGE),
                refused("a bad external address", gateway + "  media: {externalAddress: '10.0.0.0/8'}\n",
                        SpecRules.EXTERNAL_ADDRESS_MESSAGE),
                refused("a drain timeout without unit", gateway + "  drain: {timeout: '90'}\n", SpecRules.DURATION_MESSAGE),
                refused("a LiveKit URL with another scheme",
                        gateway.replace("ws://lk:7880", "ftp://lk"), SpecRules.LIVEKIT_URL_MESSAGE),
                refused("LiveKit credentials both inline and from a Secret",
                        gateway.replace("apiSecret: s}", "apiSecret: s, credentialsSecret: {name: lk}}"),
                        SpecRules.CREDENTIALS_MESSAGE),
                refused("a gateway without LiveKit",
                        "apiVersion: dialtone.io/v1alpha1\nkind: SipGateway\nmetadata: {name: bad}\nspec: {replicas: 1}\n",
                        "spec.livekit: Required value"));
    }

    private static Arguments refused(String what, String yaml, String message) {
        return Arguments.of(Named.of(what, yaml), message);
    }

    @ParameterizedTest(name = "refuses {0}")
    @MethodSource("refused")
    void invalidResourcesAreRefusedWithTheirMessage(String yaml, String message) throws IOException, InterruptedException {
        KubeApi.Result result = api.kubectl(yaml, "apply", "--server-side", "-n", "default", "-f", "-");
        assertThat(result.exitCode()).as("kubectl accepted:\n" + yaml).isNotZero();
        assertThat(result.err()).contains(message);
    }
}
