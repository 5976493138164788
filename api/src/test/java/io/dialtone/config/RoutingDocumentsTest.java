package io.dialtone.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.HeaderInclusion;
import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.routing.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingDocumentsTest {
    private static final java.util.function.Function<String, String> NO_ENV = name -> null;
    private static final String GATEWAY = """
            apiVersion: dialtone.io/v1alpha1
            kind: SipGateway
            metadata:
              name: gw
            spec:
              livekit:
                url: http://127.0.0.1:7880
                apiKey: devkey
                apiSecret: secret
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    /** The problems loading one file reports, without any environment variables. */
    private static List<ConfigProblem> problemsLoading(Path file) {
        return problems(() -> RoutingDocuments.load(List.of(file), NO_ENV));
    }

    private static List<ConfigProblem> problems(ThrowingLoad load) {
        try {
            load.run();
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    interface ThrowingLoad {
        void run() throws ConfigException;
    }

    @Test
    void loadsAGatewayTrunkAndRuleWithDefaultsApplied() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: t}
                spec: {}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: r}
                spec:
                  individual: {roomPrefix: sip-call-}
                """);
        LoadedConfig loaded = RoutingDocuments.load(List.of(file), NO_ENV);
        assertThat(loaded.config().gateway().getSpec().sip().port()).isEqualTo(5060);
        assertThat(loaded.config().gateway().getSpec().media().rtpPortRange().min()).isEqualTo(10000);
        assertThat(loaded.config().trunks().get(0).getSpec().includeHeaders()).isEqualTo(HeaderInclusion.none);
        assertThat(loaded.config().trunks().get(0).getSpec().ringingTimeout()).isEqualTo("30s");
        assertThat(loaded.config().rules().get(0).getSpec().individual().roomPrefix()).isEqualTo("sip-call-");
        assertThat(loaded.revision()).matches("[0-9a-f]{12}");
        assertThat(loaded.findings()).isEmpty();
    }

    @Test
    void anUnknownFieldIsAnErrorThatNamesFileDocumentPathAndTheKnownFieldsAndTheRestIsStillChecked() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                spec:
                  auth:
                    usrname: x
                """);
        List<ConfigProblem> problems = problemsLoading(file);
        assertThat(problems).extracting(ConfigProblem::path).containsExactly("spec.auth.usrname", "spec.auth");
        assertThat(problems.get(0))
                .satisfies(p -> {
                    assertThat(p.source()).endsWith("c.yaml");
                    assertThat(p.document()).isEqualTo(2);
                    assertThat(p.line()).isEqualTo(11);
                    assertThat(p.resource()).isEqualTo("SipTrunk carrier");
                    assertThat(p.path()).isEqualTo("spec.auth.usrname");
                    assertThat(p.message()).contains("unknown field 'usrname'").contains("username");
                    assertThat(p.toString()).contains("c.yaml: document 2 (line 11): SipTrunk carrier: spec.auth.usrname");
                });
    }

    @Test
    void aMistypedTopLevelFieldIsAnError() throws Exception {
        Path file = write("c.yaml", GATEWAY.replace("spec:", "spec:\n  replica: 2"));
        assertThat(problemsLoading(file))
                .extracting(ConfigProblem::path).containsExactly("spec.replica");
    }

    @Test
    void anEmptySpecIsAnErrorForEveryKind() throws Exception {
        for (String kind : List.of("SipGateway", "SipTrunk", "DispatchRule")) {
            Path file = write(kind + ".yaml", "apiVersion: dialtone.io/v1alpha1\nkind: " + kind
                    + "\nmetadata: {name: empty}\nspec:\n");
            assertThat(problemsLoading(file)).as(kind).extracting(ConfigProblem::path).contains("spec");
        }
    }

    @Test
    void aWrongTypeSaysWhatWasExpected() throws Exception {
        Path file = write("c.yaml", GATEWAY + "  sip:\n    port: five\n");
        assertThat(problemsLoading(file)).singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("spec.sip.port");
                    assertThat(p.message()).isEqualTo("'five' is not a number");
                });
    }

    @Test
    void aBadEnumValueListsTheAllowedValues() throws Exception {
        Path file = write("c.yaml", GATEWAY + "  sip:\n    transports: [udp, sctp]\n");
        assertThat(problemsLoading(file)).singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("spec.sip.transports[1]");
                    assertThat(p.message()).isEqualTo("'sctp' is not one of: udp, tcp, tls");
                });
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                  media:
                    rtpPortRange: {min: 10001, max: 10000}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: t}
                spec:
                  numbers: ["call-me"]
                  allowedAddresses: ["10.0.0.0/33", "203.0.113.5"]
                  ringingTimeout: 30
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: r}
                spec:
                  individual: {pin: "12ab"}
                  direct: {roomName: x}
                """);
        assertThat(problemsLoading(file))
                .extracting(p -> p.resource() + " " + p.path())
                .containsExactlyInAnyOrder(
                        "SipGateway gw spec.media.rtpPortRange",
                        "SipGateway gw spec.media.rtpPortRange.min",
                        "SipTrunk t spec.numbers[0]",
                        "SipTrunk t spec.allowedAddresses[0]",
                        "SipTrunk t spec.ringingTimeout",
                        "DispatchRule r spec");
    }

    @Test
    void environmentVariablesFillInStringsWithDefaults() throws Exception {
        Path file = write("c.yaml", """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: gw}
                spec:
                  livekit:
                    url: ${URL:-http://127.0.0.1:7880}
                    apiKey: ${KEY}
                    apiSecret: "$${literal}"
                """);
        LoadedConfig loaded = RoutingDocuments.load(List.of(file), Map.of("KEY", "from-env")::get);
        assertThat(loaded.config().gateway().getSpec().livekit().url()).isEqualTo("http://127.0.0.1:7880");
        assertThat(loaded.config().gateway().getSpec().livekit().apiKey()).isEqualTo("from-env");
        assertThat(loaded.config().gateway().getSpec().livekit().apiSecret()).isEqualTo("${literal}");
    }

    @Test
    void aMissingEnvironmentVariableNamesTheVariableAndTheField() throws Exception {
        Path file = write("c.yaml", GATEWAY.replace("apiKey: devkey", "apiKey: ${LIVEKIT_API_KEY}"));
        assertThat(problemsLoading(file)).singleElement()
                .satisfies(p -> {
                    assertThat(p.path()).isEqualTo("spec.livekit.apiKey");
                    assertThat(p.message()).contains("LIVEKIT_API_KEY is not set");
                });
    }

    @Test
    void secretDocumentsResolveReferencesFromStringDataAndData() throws Exception {
        Path file = write("c.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: lk}
                stringData: {apiKey: devkey}
                data: {apiSecret: c2VjcmV0}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: gw}
                spec:
                  livekit: {url: "http://127.0.0.1:7880", credentialsSecret: {name: lk}}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: digest}
                stringData: {username: u, password: p, realm: example}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: t}
                spec:
                  auth: {secretRef: {name: digest}}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: pins}
                stringData: {lobby: "4321"}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: r}
                spec:
                  direct: {roomName: lobby, pinSecretRef: {name: pins, key: lobby}}
                """);
        LoadedConfig loaded = RoutingDocuments.load(List.of(file), NO_ENV);
        assertThat(loaded.config().gateway().getSpec().livekit().apiSecret()).isEqualTo("secret");
        assertThat(loaded.config().trunks().get(0).getSpec().auth().password()).isEqualTo("p");
        assertThat(loaded.config().trunks().get(0).getSpec().auth().realm()).isEqualTo("example");
        assertThat(loaded.config().rules().get(0).getSpec().direct().pin()).isEqualTo("4321");
    }

    @Test
    void aMissingSecretOrKeyIsReportedOnTheField() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: digest}
                stringData: {username: u}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: t}
                spec:
                  auth: {secretRef: {name: digest}}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: r}
                spec:
                  direct: {roomName: lobby, pinSecretRef: {name: nowhere}}
                """);
        assertThat(problemsLoading(file))
                .extracting(p -> p.path() + ": " + p.message())
                .containsExactlyInAnyOrder("spec.auth.secretRef: Secret digest has no key password",
                        "spec.direct.pinSecretRef: Secret nowhere does not exist");
    }

    @Test
    void aPinShorterThanFourDigitsIsRefusedInlineOrFromASecret() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: pins}
                stringData: {lobby: "321"}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: inline}
                spec:
                  direct: {roomName: a, pin: "123"}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: secret}
                spec:
                  direct: {roomName: b, pinSecretRef: {name: pins, key: lobby}}
                """);
        assertThat(problemsLoading(file))
                .extracting(p -> p.resource() + " " + p.path() + ": " + p.message())
                .containsExactlyInAnyOrder("DispatchRule inline spec.direct.pin: pin must be 4 to 16 digits",
                        "DispatchRule secret spec.direct.pinSecretRef: the PIN in Secret pins key lobby: pin must be "
                                + "4 to 16 digits");
    }

    @Test
    void headersTheGatewayWouldSendMustBeXHeadersWithValuesOnOneLine() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: carrier}
                spec:
                  headers: {X-Ok: fine, Contact: "sip:evil@example.com", X-Split: "a\\r\\nVia: forged"}
                  attributesToHeaders: {outcome: X-Outcome, reason: "Reason"}
                """);
        assertThat(problemsLoading(file))
                .extracting(p -> p.resource() + " " + p.path() + ": " + p.message())
                .containsExactlyInAnyOrder(
                        "SipTrunk carrier spec.headers[Contact]: 'Contact' " + SpecRules.X_HEADER_MESSAGE,
                        "SipTrunk carrier spec.headers[X-Split]: " + SpecRules.HEADER_VALUE_MESSAGE,
                        "SipTrunk carrier spec.attributesToHeaders[reason]: 'Reason' " + SpecRules.X_HEADER_MESSAGE);
    }

    @Test
    void foreignKindsWrongVersionsAndNamelessDocumentsAreRefused() throws Exception {
        Path file = write("c.yaml", GATEWAY + """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cm}
                ---
                apiVersion: dialtone.io/v1
                kind: SipTrunk
                metadata: {name: t}
                spec: {}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                spec: {}
                """);
        assertThat(problemsLoading(file))
                .extracting(ConfigProblem::path).containsExactly("kind", "apiVersion", "metadata.name");
    }

    @Test
    void duplicatesAndASecondGatewayAreRefused() throws Exception {
        Path file = write("c.yaml", GATEWAY + "---\n" + GATEWAY.replace("name: gw", "name: other") + """
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: t}
                spec: {}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: t}
                spec: {gatewayRef: elsewhere}
                """);
        assertThat(problemsLoading(file))
                .extracting(ConfigProblem::message)
                .anySatisfy(m -> assertThat(m).contains("one SipGateway"))
                .anySatisfy(m -> assertThat(m).contains("SipTrunk t is defined twice"))
                .anySatisfy(m -> assertThat(m).contains("refers to SipGateway elsewhere"));
    }

    @Test
    void invalidYamlNamesTheLine() throws Exception {
        Path file = write("c.yaml", GATEWAY + "  sip: [unclosed\n");
        assertThat(problemsLoading(file)).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith("is not valid YAML"));
    }

    @Test
    void aDirectoryLoadsEveryYamlFileInNameOrder() throws Exception {
        write("1-gateway.yaml", GATEWAY);
        write("2-trunk.yml", "apiVersion: dialtone.io/v1alpha1\nkind: SipTrunk\nmetadata: {name: t}\nspec: {}\n");
        write("notes.txt", "ignored");
        LoadedConfig loaded = RoutingDocuments.load(List.of(dir), NO_ENV);
        assertThat(loaded.config().trunks()).hasSize(1);
        assertThat(loaded.findings()).extracting(Finding::type).containsExactly(Finding.Type.UNROUTED_TRUNK);
    }

    @Test
    void aConfigWithoutGatewayOrFileIsRefused() throws Exception {
        Path file = write("c.yaml", "apiVersion: dialtone.io/v1alpha1\nkind: SipTrunk\nmetadata: {name: t}\nspec: {}\n");
        assertThat(problemsLoading(file)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("no SipGateway document"));
        assertThat(problems(() -> RoutingDocuments.load(List.of(dir.resolve("missing.yaml")), NO_ENV)))
                .singleElement().satisfies(p -> assertThat(p.message()).isEqualTo("does not exist"));
    }

    @Test
    void theRevisionChangesWithTheContentAndOnlyWithIt() throws Exception {
        String trunk = "---\napiVersion: dialtone.io/v1alpha1\nkind: SipTrunk\nmetadata: {name: t}\nspec: {numbers: ['+1']}\n";
        String a = RoutingDocuments.parse("a", GATEWAY + trunk, NO_ENV).revision();
        String b = RoutingDocuments.parse("b", "# a comment\n" + GATEWAY + trunk, NO_ENV).revision();
        String c = RoutingDocuments.parse("c", GATEWAY + trunk.replace("+1", "+2"), NO_ENV).revision();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void everyExampleLoads() throws Exception {
        Path examples = Path.of(System.getProperty("dialtone.examples", "../examples"));
        Map<String, String> env = Map.of("LIVEKIT_API_KEY", "k", "LIVEKIT_API_SECRET", "s", "TRUNK_PASSWORD", "p");
        for (String example : List.of("quickstart", "production", "standalone")) {
            LoadedConfig loaded = RoutingDocuments.load(List.of(examples.resolve(example)), env::get);
            assertThat(loaded.findings()).as(example).isEmpty();
        }
    }
}
