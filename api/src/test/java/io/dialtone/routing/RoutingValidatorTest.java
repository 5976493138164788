package io.dialtone.routing;

import static io.dialtone.routing.Fixtures.callee;
import static io.dialtone.routing.Fixtures.config;
import static io.dialtone.routing.Fixtures.direct;
import static io.dialtone.routing.Fixtures.individual;
import static io.dialtone.routing.Fixtures.trunk;
import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.routing.Finding.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingValidatorTest {

    private static List<Finding> validate(List<Fixtures.TrunkBuilder> trunks, List<Fixtures.RuleBuilder> rules) {
        return RoutingValidator.validate(config(false, trunks, rules));
    }

    private static List<Finding> ofType(List<Finding> findings, Type type) {
        return findings.stream().filter(f -> f.type() == type).toList();
    }

    @Test
    void twoTrunksSharingANumberWithOverlappingSourcesConflictOnBothSides() {
        List<Finding> findings = validate(
                List.of(trunk("a").numbers("+1 555 0199"), trunk("b").numbers("+15550199").addresses("203.0.113.0/24")),
                List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.TRUNK_CONFLICT)).extracting(Finding::name, Finding::other)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a", "b"),
                        org.assertj.core.groups.Tuple.tuple("b", "a"));
        assertThat(findings.get(0).message()).contains("number +15550199");
    }

    @Test
    void trunksSharingANumberButNotASourceDoNotConflict() {
        List<Finding> findings = validate(
                List.of(trunk("a").numbers("+15550199").addresses("198.51.100.0/24"),
                        trunk("b").numbers("+15550199").addresses("203.0.113.0/24")),
                List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.TRUNK_CONFLICT)).isEmpty();
    }

    @Test
    void trunksSharingANumberButNotACallerDoNotConflict() {
        List<Finding> findings = validate(
                List.of(trunk("a").numbers("+15550199").callers("+15550001"),
                        trunk("b").numbers("+15550199").callers("+15550002")),
                List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.TRUNK_CONFLICT)).isEmpty();
    }

    @Test
    void nestedCidrsOverlap() {
        List<Finding> findings = validate(
                List.of(trunk("a").addresses("10.0.0.0/8"), trunk("b").addresses("10.20.0.0/16")),
                List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.TRUNK_CONFLICT)).hasSize(2);
        assertThat(findings.get(0).message()).contains("default trunks");
    }

    @Test
    void aHostNameOverlapsAnyCidrBecauseOneCallCanCarryBoth() {
        List<Finding> findings = validate(
                List.of(trunk("a").addresses("10.0.0.0/8"), trunk("b").addresses("carrier.example")),
                List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.TRUNK_CONFLICT)).hasSize(2);
    }

    @Test
    void rulesWithTheSameTrunksNumbersPinAndPriorityConflict() {
        List<Finding> findings = validate(List.of(trunk("t")),
                List.of(individual("one", "a").trunks("t"), individual("two", "b").trunks("t")));
        assertThat(ofType(findings, Type.RULE_CONFLICT)).extracting(Finding::name).containsExactlyInAnyOrder("one", "two");
        assertThat(ofType(findings, Type.RULE_CONFLICT).get(0).message()).contains("one wins");
    }

    @Test
    void rulesForDifferentCallersDoNotConflict() {
        List<Finding> findings = validate(List.of(trunk("t")),
                List.of(individual("one", "a").inbound("+15550001"), individual("two", "b").inbound("+15550002")));
        assertThat(ofType(findings, Type.RULE_CONFLICT)).isEmpty();
        assertThat(ofType(findings, Type.SHADOWED)).isEmpty();
    }

    @Test
    void aNarrowerRuleBeatenByAWiderOpenRuleIsShadowed() {
        List<Finding> findings = validate(List.of(trunk("t")),
                List.of(individual("wide", "a").numbers("+15550199").inbound("+15550100"),
                        direct("narrow-pinned", "room").pin("12").numbers("+15550199").inbound("+15550100").trunks("t"),
                        callee("loser", "c").numbers("+15550199").inbound("+15550100")));
        assertThat(ofType(findings, Type.SHADOWED)).extracting(Finding::name, Finding::other)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("loser", "wide"));
        assertThat(ofType(findings, Type.SHADOWED).get(0).message()).startsWith("never matches: DispatchRule wide")
                .contains("101 against 102");
    }

    @Test
    void aRuleIsNotShadowedByAPinRuleBecauseAWrongPinFallsThrough() {
        List<Finding> findings = validate(List.of(trunk("t")),
                List.of(direct("locked", "room").pin("12"), individual("open", "p")));
        assertThat(ofType(findings, Type.SHADOWED)).isEmpty();
    }

    @Test
    void aTrunkSpecificRuleIsNotShadowedByAGlobalRule() {
        List<Finding> findings = validate(List.of(trunk("t")),
                List.of(direct("global", "room").numbers("+1").inbound("+2"), callee("mine", "c").trunks("t")));
        assertThat(ofType(findings, Type.SHADOWED)).isEmpty();
    }

    @Test
    void aRuleNamingAMissingTrunkIsReported() {
        List<Finding> findings = validate(List.of(trunk("t")), List.of(individual("r", "p").trunks("t", "gone")));
        assertThat(ofType(findings, Type.MISSING_TRUNK)).singleElement()
                .satisfies(f -> assertThat(f.other()).isEqualTo("gone"));
    }

    @Test
    void aTrunkThatNoRuleServesIsReported() {
        List<Finding> findings = validate(List.of(trunk("served"), trunk("lonely").numbers("+15550111")),
                List.of(individual("r", "p").trunks("served")));
        assertThat(ofType(findings, Type.UNROUTED_TRUNK)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("lonely").contains("404 no_rule"));
    }

    @Test
    void aRuleForAllTrunksServesEveryTrunk() {
        List<Finding> findings = validate(List.of(trunk("a"), trunk("b").numbers("+1")), List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.UNROUTED_TRUNK)).isEmpty();
    }

    @Test
    void aTrunkWithABadAddressIsInvalidAndTheRestStillValidates() {
        List<Finding> findings = validate(List.of(trunk("bad").addresses("10.0.0.0/33"), trunk("good")),
                List.of(individual("r", "p")));
        assertThat(ofType(findings, Type.INVALID)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("SipTrunk bad").contains("prefix length"));
    }

    @Test
    void aCleanConfigurationHasNoFindings() {
        assertThat(validate(List.of(trunk("a").numbers("+1"), trunk("b")),
                List.of(individual("r", "p"), direct("d", "room").pin("1").trunks("a")))).isEmpty();
    }
}
