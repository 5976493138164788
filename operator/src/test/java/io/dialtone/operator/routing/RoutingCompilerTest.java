package io.dialtone.operator.routing;

import static io.dialtone.operator.Resources.gateway;
import static io.dialtone.operator.Resources.rule;
import static io.dialtone.operator.Resources.trunk;
import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.config.CompiledRouting;
import io.dialtone.config.LoadedConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingCompilerTest {
    private static final SipGateway GATEWAY = gateway("gw",
            "{livekit: {url: 'ws://127.0.0.1:7880', credentialsSecret: {name: lk}}}");
    private static final Map<String, Map<String, String>> SECRETS = Map.of(
            "lk", Map.of("apiKey", "key", "apiSecret", "secret"),
            "pbx", Map.of("username", "pbx", "password", "s3cret"));

    private static Compilation compile(List<io.dialtone.api.v1alpha1.SipTrunk> trunks,
                                       List<io.dialtone.api.v1alpha1.DispatchRule> rules) {
        return RoutingCompiler.compile(GATEWAY, trunks, rules, SECRETS::get);
    }

    private static LoadedConfig load(Compilation compilation) throws Exception {
        return CompiledRouting.load("test", compilation.document());
    }

    @Test
    void theDocumentHoldsResolvedCredentialsAndTheRevisionThePodsWillReport() throws Exception {
        Compilation compilation = compile(List.of(trunk("carrier", "{numbers: ['+15550100'], auth: {secretRef: {name: pbx}}}")),
                List.of(rule("lobby", "{direct: {roomName: lobby}}")));

        assertThat(compilation.succeeded()).isTrue();
        LoadedConfig loaded = load(compilation);
        assertThat(loaded.revision()).isEqualTo(compilation.revision());
        assertThat(loaded.config().gateway().getSpec().livekit().apiKey()).isEqualTo("key");
        assertThat(loaded.config().trunks().get(0).getSpec().auth().password()).isEqualTo("s3cret");
        assertThat(compilation.secrets()).containsExactlyInAnyOrder("lk", "pbx");
        assertThat(compilation.outcomes().get(new ResourceKey("SipTrunk", "carrier")).included()).isTrue();
    }

    @Test
    void theSameResourcesGiveTheSameRevisionAndARotatedPasswordANewOne() {
        var trunks = List.of(trunk("carrier", "{auth: {secretRef: {name: pbx}}}"));
        var rules = List.of(rule("lobby", "{direct: {roomName: lobby}}"));
        String first = compile(trunks, rules).revision();
        assertThat(compile(trunks, rules).revision()).isEqualTo(first);
        Compilation rotated = RoutingCompiler.compile(GATEWAY, trunks, rules, Map.of(
                "lk", Map.of("apiKey", "key", "apiSecret", "secret"),
                "pbx", Map.of("username", "pbx", "password", "rotated"))::get);
        assertThat(rotated.revision()).isNotEqualTo(first);
    }

    @Test
    void ofTwoConflictingTrunksTheNewerIsLeftOutAndBothSayWhy() throws Exception {
        Compilation compilation = compile(List.of(
                        trunk("newer", "{numbers: ['+1 555 0100']}", "2026-02-01T00:00:00Z"),
                        trunk("older", "{numbers: ['+15550100']}", "2026-01-01T00:00:00Z")),
                List.of(rule("lobby", "{direct: {roomName: lobby}}")));

        Outcome newer = compilation.outcomes().get(new ResourceKey("SipTrunk", "newer"));
        Outcome older = compilation.outcomes().get(new ResourceKey("SipTrunk", "older"));
        assertThat(newer.included()).isFalse();
        assertThat(newer.reason()).isEqualTo(RoutingCompiler.REASON_CONFLICT);
        assertThat(newer.message()).contains("SipTrunk older is older");
        assertThat(older.included()).isTrue();
        assertThat(older.conflict()).contains("SipTrunk newer is newer and was left out");
        assertThat(load(compilation).config().trunks()).extracting(t -> t.getMetadata().getName())
                .containsExactly("older");
    }

    @Test
    void aTrunkWithAMissingSecretIsLeftOutWithoutHarmingTheOthers() throws Exception {
        Compilation compilation = compile(List.of(
                        trunk("broken", "{numbers: ['+15550300'], auth: {secretRef: {name: nowhere}}}"),
                        trunk("fine", "{numbers: ['+15550100']}")),
                List.of(rule("lobby", "{direct: {roomName: lobby}}")));

        Outcome broken = compilation.outcomes().get(new ResourceKey("SipTrunk", "broken"));
        assertThat(broken.reason()).isEqualTo(RoutingCompiler.REASON_SECRET);
        assertThat(broken.message()).isEqualTo("spec.auth.secretRef: Secret nowhere does not exist");
        assertThat(load(compilation).config().trunks()).extracting(t -> t.getMetadata().getName())
                .containsExactly("fine");
    }

    @Test
    void anInvalidRuleIsLeftOutWithWhatIsWrong() {
        Compilation compilation = compile(List.of(trunk("fine", "{}")), List.of(
                rule("two-kinds", "{direct: {roomName: a}, callee: {roomPrefix: b}}"),
                rule("lobby", "{direct: {roomName: lobby}}")));

        Outcome invalid = compilation.outcomes().get(new ResourceKey("DispatchRule", "two-kinds"));
        assertThat(invalid.included()).isFalse();
        assertThat(invalid.reason()).isEqualTo(RoutingCompiler.REASON_INVALID);
        assertThat(invalid.message()).isNotBlank();
        assertThat(compilation.outcomes().get(new ResourceKey("DispatchRule", "lobby")).included()).isTrue();
    }

    @Test
    void ofTwoRulesThatTakeTheSameCallsTheNewerIsLeftOut() {
        Compilation compilation = compile(List.of(trunk("fine", "{}")), List.of(
                rule("first", "{direct: {roomName: a}}"),
                rule("second", "{direct: {roomName: b}}")));

        Outcome second = compilation.outcomes().get(new ResourceKey("DispatchRule", "second"));
        assertThat(second.reason()).isEqualTo(RoutingCompiler.REASON_CONFLICT);
        assertThat(compilation.outcomes().get(new ResourceKey("DispatchRule", "first")).conflict())
                .contains("DispatchRule second is newer and was left out");
    }

    @Test
    void aShadowedRuleStaysInAndSaysWhichRuleWins() {
        Compilation compilation = compile(List.of(trunk("t", "{}")), List.of(
                rule("wide", "{individual: {roomPrefix: a}, numbers: ['+15550199'], inboundNumbers: ['+15550100']}"),
                rule("loser", "{callee: {roomPrefix: c}, numbers: ['+15550199'], inboundNumbers: ['+15550100']}")));

        Outcome loser = compilation.outcomes().get(new ResourceKey("DispatchRule", "loser"));
        assertThat(loser.included()).isTrue();
        assertThat(loser.shadowed()).startsWith("never matches: DispatchRule wide");
    }

    @Test
    void aTrunkNoRuleTakesIsInWithAWarning() {
        Compilation compilation = compile(List.of(trunk("lonely", "{numbers: ['+15550100']}")), List.of());
        Outcome lonely = compilation.outcomes().get(new ResourceKey("SipTrunk", "lonely"));
        assertThat(lonely.included()).isTrue();
        assertThat(lonely.warnings()).singleElement().asString().contains("no_rule");
    }

    @Test
    void aGatewayWithoutItsCredentialsPublishesNothing() {
        Compilation compilation = RoutingCompiler.compile(GATEWAY, List.of(trunk("fine", "{}")), List.of(), name -> null);
        assertThat(compilation.succeeded()).isFalse();
        assertThat(compilation.document()).isNull();
        assertThat(compilation.problems()).singleElement().asString()
                .contains("Secret lk does not exist");
    }

    @Test
    void aTlsSecretBecomesTheFilesTheDeploymentMounts() throws Exception {
        SipGateway gateway = gateway("tls", "{livekit: {url: 'ws://127.0.0.1:7880', apiKey: k, apiSecret: s}, "
                + "sip: {transports: [udp, tls], tls: {secretName: sip-cert}}}");
        Compilation compilation = RoutingCompiler.compile(gateway, List.of(), List.of(), name -> null);
        var tls = load(compilation).config().gateway().getSpec().sip().tls();
        assertThat(tls.secretName()).isNull();
        assertThat(tls.certificateFile()).isEqualTo("/etc/dialtone/tls/tls.crt");
        assertThat(tls.privateKeyFile()).isEqualTo("/etc/dialtone/tls/tls.key");
    }

    @Test
    void aPasswordWithADollarBraceIsTextNotAVariable() throws Exception {
        Compilation compilation = RoutingCompiler.compile(GATEWAY,
                List.of(trunk("carrier", "{auth: {secretRef: {name: pbx}}}")), List.of(rule("lobby", "{direct: {roomName: lobby}}")),
                Map.of("lk", Map.of("apiKey", "key", "apiSecret", "secret"),
                        "pbx", Map.of("username", "pbx", "password", "a${HOME}b"))::get);
        assertThat(load(compilation).config().trunks().get(0).getSpec().auth().password()).isEqualTo("a${HOME}b");
    }
}
