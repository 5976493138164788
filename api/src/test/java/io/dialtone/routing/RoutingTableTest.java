package io.dialtone.routing;

import static io.dialtone.routing.Fixtures.call;
import static io.dialtone.routing.Fixtures.callee;
import static io.dialtone.routing.Fixtures.config;
import static io.dialtone.routing.Fixtures.direct;
import static io.dialtone.routing.Fixtures.individual;
import static io.dialtone.routing.Fixtures.trunk;
import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.HeaderInclusion;
import io.dialtone.routing.Fixtures.CallBuilder;
import io.dialtone.routing.Fixtures.RuleBuilder;
import io.dialtone.routing.Fixtures.TrunkBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every routing behaviour, one case each, named after what it pins down. */
class RoutingTableTest {

    record Case(boolean acceptWithoutTrunk, List<TrunkBuilder> trunks, List<RuleBuilder> rules, CallBuilder call,
                Consumer<Decision> expectation) {
    }

    private static final String SUFFIX = "AbCdEfGhIjKl";

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routes(Case c) {
        RoutingTable table = RoutingTable.build(config(c.acceptWithoutTrunk(), c.trunks(), c.rules()), () -> SUFFIX);
        c.expectation().accept(table.route(c.call().build()));
    }

    @Test
    void aPinEnteredAcrossAConfigurationChangeIsCheckedAgainstTheNewRules() {
        RoutingConfig config = config(false, List.of(trunk("a")), List.of(direct("d", "room").trunks("a").pin("1234")));
        Decision.PinRequired asked = (Decision.PinRequired) RoutingTable.build(config, () -> SUFFIX)
                .route(call().build());
        RoutingTable reloaded = RoutingTable.build(config, () -> SUFFIX);
        assertThat(reloaded.dispatch(asked.trunk(), call().pin(PinEntry.entered("9")).build()))
                .isInstanceOfSatisfying(Decision.Reject.class, r -> assertThat(r.reason()).isEqualTo(Reason.PIN_INCORRECT));
        assertThat(reloaded.dispatch(asked.trunk(), call().pin(PinEntry.entered("1234")).build()))
                .isInstanceOfSatisfying(Decision.Accept.class, a -> assertThat(a.rule().name()).isEqualTo("d"));
    }

    @Test
    void aConnectionIsTakenOnlyFromWhereATrunksRequestsCouldCome() throws Exception {
        java.net.InetAddress carrier = java.net.InetAddress.getByName("203.0.113.7");
        java.net.InetAddress stranger = java.net.InetAddress.getByName("198.51.100.9");
        RoutingTable byAddress = RoutingTable.build(config(false, List.of(trunk("a").addresses("203.0.113.0/24")),
                List.of(individual("r", "p"))), () -> SUFFIX);
        assertThat(byAddress.mayConnect(carrier)).isTrue();
        assertThat(byAddress.mayConnect(stranger)).isFalse();
        RoutingTable byHost = RoutingTable.build(config(false, List.of(trunk("a").addresses("sip.carrier.example")),
                List.of(individual("r", "p"))), () -> SUFFIX);
        assertThat(byHost.mayConnect(stranger)).as("only the From header will tell").isTrue();
        RoutingTable open = RoutingTable.build(config(true, List.of(), List.of(individual("r", "p"))), () -> SUFFIX);
        assertThat(open.mayConnect(stranger)).as("acceptWithoutTrunk").isTrue();
    }

    @Test
    void aSourceOnlyPasswordTrunksAdmitMustAuthenticateBeforeLearningWhichNumbersExist() throws Exception {
        java.net.InetAddress pbx = java.net.InetAddress.getByName("198.51.100.7");
        java.net.InetAddress carrier = java.net.InetAddress.getByName("203.0.113.7");
        RoutingTable table = RoutingTable.build(config(false, List.of(
                trunk("pbx-b").addresses("198.51.100.0/24").auth("u", "p"),
                trunk("pbx-a").addresses("198.51.100.7").auth("u", "p"),
                trunk("carrier").addresses("203.0.113.0/24"),
                trunk("carrier-secure").addresses("203.0.113.0/24").auth("u", "p")),
                List.of(individual("r", "p"))), () -> SUFFIX);
        assertThat(table.authGuard(pbx, "")).map(CompiledTrunk::name).as("the first by name").contains("pbx-a");
        assertThat(table.authGuard(carrier, "")).as("a trunk admits it without a password").isEmpty();
        assertThat(table.authGuard(java.net.InetAddress.getByName("192.0.2.1"), "")).as("a stranger").isEmpty();
    }

    static Stream<Named<Case>> cases() {
        return Stream.of(
                // Trunk selection
                named("a default trunk takes a call to any number",
                        List.of(trunk("any")), List.of(individual("r", "p")), call().to("+4930123"),
                        accepted("any", "r")),
                named("a trunk listing the called number beats the default trunk",
                        List.of(trunk("any"), trunk("line").numbers("+15550199")), List.of(individual("r", "p")), call(),
                        accepted("line", "r")),
                named("trunk numbers are compared after normalisation of the trunk's number",
                        List.of(trunk("line").numbers("+1 (555) 019-9")), List.of(individual("r", "p")), call(),
                        accepted("line", "r")),
                named("trunk numbers are compared after normalisation of the called number",
                        List.of(trunk("line").numbers("+15550199")), List.of(individual("r", "p")),
                        call().to("1-555-0199"), accepted("line", "r")),
                named("a SIP user name as called number matches a trunk listing the same name",
                        List.of(trunk("line").numbers("support")), List.of(individual("r", "p")), call().to("support"),
                        accepted("line", "r")),
                named("a trunk for another number does not take the call",
                        List.of(trunk("line").numbers("+15550111")), List.of(individual("r", "p")), call(),
                        rejected(Reason.NO_TRUNK_FOR_NUMBER)),
                named("allowedAddresses with the exact source IP admits the call",
                        List.of(trunk("carrier").addresses("203.0.113.7")), List.of(individual("r", "p")), call(),
                        accepted("carrier", "r")),
                named("allowedAddresses with a CIDR admits a source inside the range",
                        List.of(trunk("carrier").addresses("203.0.113.0/24")), List.of(individual("r", "p")),
                        call().source("203.0.113.250"), accepted("carrier", "r")),
                named("a source outside every allowed address is unknown_source",
                        List.of(trunk("carrier").addresses("198.51.100.0/24")), List.of(individual("r", "p")), call(),
                        rejected(Reason.UNKNOWN_SOURCE)),
                named("an IPv6 source matches an IPv6 CIDR",
                        List.of(trunk("carrier").addresses("2001:db8::/32")), List.of(individual("r", "p")),
                        call().source("2001:db8::15"), accepted("carrier", "r")),
                named("an IPv4 source never matches an IPv6 CIDR",
                        List.of(trunk("carrier").addresses("2001:db8::/32")), List.of(individual("r", "p")), call(),
                        rejected(Reason.UNKNOWN_SOURCE)),
                named("a host name in allowedAddresses matches the From host, ignoring case",
                        List.of(trunk("carrier").addresses("Carrier.Example")), List.of(individual("r", "p")), call(),
                        accepted("carrier", "r")),
                named("a host name in allowedAddresses does not match another From host",
                        List.of(trunk("carrier").addresses("other.example")), List.of(individual("r", "p")), call(),
                        rejected(Reason.UNKNOWN_SOURCE)),
                named("a specific trunk that refuses the source falls back to the default trunk",
                        List.of(trunk("line").numbers("+15550199").addresses("198.51.100.1"), trunk("any")),
                        List.of(individual("r", "p")), call(), accepted("any", "r")),
                named("allowedNumbers admits a listed caller",
                        List.of(trunk("vip").callers("+15550100")), List.of(individual("r", "p")), call(),
                        accepted("vip", "r")),
                named("allowedNumbers are compared after normalisation",
                        List.of(trunk("vip").callers("+1 555 0100")), List.of(individual("r", "p")),
                        call().from("15550100"), accepted("vip", "r")),
                named("a caller missing from allowedNumbers is caller_not_allowed with 403",
                        List.of(trunk("vip").callers("+15550111")), List.of(individual("r", "p")), call(),
                        rejected(Reason.CALLER_NOT_ALLOWED, 403)),
                named("a known source calling a number no trunk lists is no_trunk_for_number with 404",
                        List.of(trunk("line").numbers("+15550111").addresses("203.0.113.7")),
                        List.of(individual("r", "p")), call(), rejected(Reason.NO_TRUNK_FOR_NUMBER, 404)),
                named("two specific trunks accepting one call is a trunk_conflict",
                        List.of(trunk("a").numbers("+15550199"), trunk("b").numbers("+15550199")),
                        List.of(individual("r", "p")), call(), rejected(Reason.TRUNK_CONFLICT, 500)),
                named("two default trunks accepting one call is a trunk_conflict",
                        List.of(trunk("a"), trunk("b")), List.of(individual("r", "p")), call(),
                        rejected(Reason.TRUNK_CONFLICT)),
                named("two specific trunks for one number split by source do not conflict",
                        List.of(trunk("a").numbers("+15550199").addresses("198.51.100.0/24"),
                                trunk("b").numbers("+15550199").addresses("203.0.113.0/24")),
                        List.of(individual("r", "p")), call(), accepted("b", "r")),
                named("with no trunks at all every source is unknown_source",
                        List.of(), List.of(individual("r", "p")), call(), rejected(Reason.UNKNOWN_SOURCE)),
                named("acceptWithoutTrunk lets an unknown source reach a rule without trunkRefs",
                        true, List.of(trunk("carrier").addresses("198.51.100.1")), List.of(individual("r", "p")), call(),
                        accepted(null, "r")),
                named("acceptWithoutTrunk never reaches rules that name trunks",
                        true, List.of(), List.of(individual("r", "p").trunks("carrier")), call(),
                        rejected(Reason.NO_RULE)),

                // Rule selection
                named("a rule without trunkRefs takes calls from every trunk",
                        List.of(trunk("a").numbers("+15550199")), List.of(individual("r", "p")), call(),
                        accepted("a", "r")),
                named("a rule naming the trunk beats a rule for all trunks even with a worse priority",
                        List.of(trunk("a")), List.of(direct("global", "lobby").pin("1").numbers("+15550199").inbound("+15550100"),
                                callee("mine", "c").trunks("a")), call(), accepted("a", "mine")),
                named("a rule naming another trunk does not take the call",
                        List.of(trunk("a")), List.of(individual("r", "p").trunks("b")), call(), rejected(Reason.NO_RULE, 404)),
                named("a rule listing several trunks takes calls from each",
                        List.of(trunk("a").numbers("+15550111"), trunk("b")),
                        List.of(individual("r", "p").trunks("a", "b")), call(), accepted("b", "r")),
                named("rule numbers filter the called number",
                        List.of(trunk("a")), List.of(individual("r", "p").numbers("+15550111")), call(),
                        rejected(Reason.NO_RULE)),
                named("rule numbers are compared after normalisation",
                        List.of(trunk("a")), List.of(individual("r", "p").numbers("+1 555-0199")), call().to("15550199"),
                        accepted("a", "r")),
                named("rule inboundNumbers filter the caller",
                        List.of(trunk("a")), List.of(individual("r", "p").inbound("+15550111")), call(),
                        rejected(Reason.NO_RULE)),
                named("a rule for another number loses to a rule for any number",
                        List.of(trunk("a")), List.of(direct("other", "x").numbers("+15550111"), individual("any", "p")),
                        call(), accepted("a", "any")),
                named("no rule for a known trunk is no_rule and names the trunk",
                        List.of(trunk("a")), List.of(), call(), (Consumer<Decision>) d -> {
                            Decision.Reject reject = (Decision.Reject) d;
                            assertThat(reject.reason()).isEqualTo(Reason.NO_RULE);
                            assertThat(reject.trunk().name()).isEqualTo("a");
                            assertThat(reject.detail()).contains("SipTrunk a").contains("+15550100").contains("+15550199");
                        }),
                named("direct with PIN (0) beats individual with PIN (1)",
                        List.of(trunk("a")), List.of(individual("i", "p").pin("1"), direct("d", "room").pin("2")),
                        call(), pinRequired("d")),
                named("individual with PIN (1) beats callee with PIN (2)",
                        List.of(trunk("a")), List.of(callee("c", "p").pin("1"), individual("i", "p").pin("2")), call(),
                        pinRequired("i")),
                named("a PIN rule beats an open rule of the same scope",
                        List.of(trunk("a")), List.of(direct("open", "room"), callee("locked", "p").pin("9")), call(),
                        pinRequired("locked")),
                named("open direct (100) beats open individual (101)",
                        List.of(trunk("a")), List.of(individual("i", "p"), direct("d", "room")), call(),
                        accepted("a", "d")),
                named("open individual (101) beats open callee (102)",
                        List.of(trunk("a")), List.of(callee("c", "p"), individual("i", "p")), call(),
                        accepted("a", "i")),
                named("a rule with inboundNumbers beats one without (1000 penalty)",
                        List.of(trunk("a")), List.of(direct("open", "room"), callee("forCaller", "p").inbound("+15550100")),
                        call(), accepted("a", "forCaller")),
                named("a rule with numbers beats one without (1000 penalty)",
                        List.of(trunk("a")), List.of(direct("open", "room"), callee("forNumber", "p").numbers("+15550199")),
                        call(), accepted("a", "forNumber")),
                named("equal priority ties break on room prefix",
                        List.of(trunk("a")), List.of(individual("first", "zeta"), individual("second", "alpha")), call(),
                        accepted("a", "second")),
                named("equal priority and room ties break on resource name",
                        List.of(trunk("a")), List.of(individual("beta", "p"), individual("alpha", "p")), call(),
                        accepted("a", "alpha")),
                named("a PIN rule asks for the PIN before anything is answered",
                        List.of(trunk("a")), List.of(direct("d", "room").pin("1234")), call(), pinRequired("d")),
                named("the right PIN accepts the PIN rule",
                        List.of(trunk("a")), List.of(direct("d", "room").pin("1234"), individual("open", "p")),
                        call().pin(PinEntry.entered("1234")), accepted("a", "d")),
                named("a wrong PIN falls through to an open rule",
                        List.of(trunk("a")), List.of(direct("d", "room").pin("1234"), individual("open", "p")),
                        call().pin(PinEntry.entered("9999")), accepted("a", "open")),
                named("a wrong PIN with only PIN rules is pin_incorrect",
                        List.of(trunk("a")), List.of(direct("d", "room").pin("1234")),
                        call().pin(PinEntry.entered("9999")), rejected(Reason.PIN_INCORRECT, 403)),
                named("a caller without a PIN skips PIN rules",
                        List.of(trunk("a")), List.of(direct("d", "room").pin("1234"), individual("open", "p")),
                        call().pin(PinEntry.NONE), accepted("a", "open")),
                named("a caller without a PIN and only PIN rules is no_rule",
                        List.of(trunk("a")), List.of(direct("d", "room").pin("1234")), call().pin(PinEntry.NONE),
                        rejected(Reason.NO_RULE)),
                named("a trunk-specific PIN rule is asked before a global open rule",
                        List.of(trunk("a")), List.of(individual("open", "p"), direct("d", "room").pin("1").trunks("a")),
                        call(), pinRequired("d")),
                named("a number-specific rule and an any-number rule compete on priority",
                        List.of(trunk("a")), List.of(direct("anyNumber", "room").inbound("+15550100"),
                                callee("forNumber", "p").numbers("+15550199")), call(), accepted("a", "anyNumber")),

                // Room names
                named("individual rooms are prefix_caller_random",
                        List.of(trunk("a")), List.of(individual("r", "sip-call-")), call(), room("sip-call-_+15550100_" + SUFFIX)),
                named("individual rooms without randomness are prefix_caller",
                        List.of(trunk("a")), List.of(individual("r", "sip-call-").noRandomness()), call(),
                        room("sip-call-_+15550100")),
                named("individual rooms use the caller number as sent",
                        List.of(trunk("a")), List.of(individual("r", "p").noRandomness()), call().from("0155 50100"),
                        room("p_0155 50100")),
                named("direct rooms use the fixed room name",
                        List.of(trunk("a")), List.of(direct("r", "lobby")), call(), room("lobby")),
                named("callee rooms are prefix_called",
                        List.of(trunk("a")), List.of(callee("r", "line")), call(), room("line_+15550199")),
                named("callee rooms with randomize get a suffix",
                        List.of(trunk("a")), List.of(callee("r", "line").randomize()), call(), room("line_+15550199_" + SUFFIX)),

                // Participant
                named("the identity is sip_ and the caller number",
                        List.of(trunk("a")), List.of(individual("r", "p")), call(),
                        participant(p -> assertThat(p.identity()).isEqualTo("sip_+15550100"))),
                named("the name is Phone and the caller number",
                        List.of(trunk("a")), List.of(individual("r", "p")), call(),
                        participant(p -> assertThat(p.name()).isEqualTo("Phone +15550100"))),
                named("the sip attributes describe the call",
                        List.of(trunk("a")), List.of(individual("r", "p")), call(),
                        participant(p -> assertThat(p.attributes()).containsAllEntriesOf(Map.of(
                                "sip.callID", "SCL_test", "sip.callIDFull", "a84b4c76e66710@pc33.example",
                                "sip.trunkID", "a", "sip.ruleID", "r", "sip.phoneNumber", "+15550100",
                                "sip.trunkPhoneNumber", "+15550199", "sip.hostname", "carrier.example",
                                "sip.callStatus", "ringing")))),
                named("hidePhoneNumber hashes the identity",
                        List.of(trunk("a")), List.of(individual("r", "p").hidePhoneNumber()), call(),
                        participant(p -> assertThat(p.identity()).isEqualTo("sip_" + Participants.hashedCaller("+15550100"))
                                .doesNotContain("5550100").hasSize(4 + 16))),
                named("hidePhoneNumber keeps only the last four digits in the name",
                        List.of(trunk("a")), List.of(individual("r", "p").hidePhoneNumber()), call(),
                        participant(p -> assertThat(p.name()).isEqualTo("Phone 0100"))),
                named("hidePhoneNumber leaves the numbers and host out of the attributes",
                        List.of(trunk("a")), List.of(individual("r", "p").hidePhoneNumber()), call(),
                        participant(p -> assertThat(p.attributes()).doesNotContainKeys("sip.phoneNumber",
                                "sip.trunkPhoneNumber", "sip.hostname"))),
                named("an identity template fills in the caller",
                        List.of(trunk("a")), List.of(individual("r", "p").participant("caller-{caller}", null, null, null)),
                        call(), participant(p -> assertThat(p.identity()).isEqualTo("caller-+15550100"))),
                named("a name template fills in the called number",
                        List.of(trunk("a")), List.of(individual("r", "p").participant(null, "Line {called}", null, null)),
                        call(), participant(p -> assertThat(p.name()).isEqualTo("Line +15550199"))),
                named("rule attributes and metadata reach the participant",
                        List.of(trunk("a")), List.of(individual("r", "p").participant(null, null, "{\"vip\":true}",
                                Map.of("team", "sales"))), call(),
                        participant(p -> {
                            assertThat(p.attributes()).containsEntry("team", "sales");
                            assertThat(p.metadata()).isEqualTo("{\"vip\":true}");
                        })),
                named("rule attributes cannot overwrite sip attributes",
                        List.of(trunk("a")), List.of(individual("r", "p").participant(null, null, null,
                                Map.of("sip.trunkID", "forged"))), call(),
                        participant(p -> assertThat(p.attributes()).containsEntry("sip.trunkID", "a"))),
                named("headersToAttributes copies a header into an attribute",
                        List.of(trunk("a").header("X-Customer", "customer.id")), List.of(individual("r", "p")),
                        call().header("X-Customer", "42"),
                        participant(p -> assertThat(p.attributes()).containsEntry("customer.id", "42"))),
                named("headersToAttributes matches header names ignoring case",
                        List.of(trunk("a").header("x-customer", "customer.id")), List.of(individual("r", "p")),
                        call().header("X-CUSTOMER", "42"),
                        participant(p -> assertThat(p.attributes()).containsEntry("customer.id", "42"))),
                named("includeHeaders x-headers copies only X- headers as sip.h.*",
                        List.of(trunk("a").include(HeaderInclusion.xHeaders)), List.of(individual("r", "p")),
                        call().header("X-Campaign", "spring").header("User-Agent", "pbx"),
                        participant(p -> assertThat(p.attributes()).containsEntry("sip.h.x-campaign", "spring")
                                .doesNotContainKey("sip.h.user-agent"))),
                named("includeHeaders all copies every header as sip.h.*",
                        List.of(trunk("a").include(HeaderInclusion.all)), List.of(individual("r", "p")),
                        call().header("User-Agent", "pbx"),
                        participant(p -> assertThat(p.attributes()).containsEntry("sip.h.user-agent", "pbx"))),
                named("includeHeaders none copies no headers",
                        List.of(trunk("a")), List.of(individual("r", "p")), call().header("X-Campaign", "spring"),
                        participant(p -> assertThat(p.attributes().keySet()).noneMatch(k -> k.startsWith("sip.h.")))),
                named("a call admitted without a trunk carries no sip.trunkID",
                        true, List.of(), List.of(individual("r", "p")), call(),
                        participant(p -> assertThat(p.attributes()).doesNotContainKey("sip.trunkID"))),
                named("the rule's room settings come with the decision",
                        List.of(trunk("a")), List.of(individual("r", "p").room("{\"floor\":3}", "receptionist")), call(),
                        (Consumer<Decision>) d -> {
                            Decision.Accept accept = (Decision.Accept) d;
                            assertThat(accept.room().metadata()).isEqualTo("{\"floor\":3}");
                            assertThat(accept.room().agents()).extracting(a -> a.agentName()).containsExactly("receptionist");
                        }),
                named("an unknown_source rejection explains what to add",
                        List.of(trunk("carrier").addresses("198.51.100.0/24")), List.of(individual("r", "p")), call(),
                        (Consumer<Decision>) d -> assertThat(((Decision.Reject) d).detail())
                                .contains("203.0.113.7").contains("allowedAddresses")));
    }

    private static Named<Case> named(String name, List<TrunkBuilder> trunks, List<RuleBuilder> rules, CallBuilder call,
                                     Consumer<Decision> expectation) {
        return named(name, false, trunks, rules, call, expectation);
    }

    private static Named<Case> named(String name, boolean acceptWithoutTrunk, List<TrunkBuilder> trunks,
                                     List<RuleBuilder> rules, CallBuilder call, Consumer<Decision> expectation) {
        return Named.of(name, new Case(acceptWithoutTrunk, trunks, rules, call, expectation));
    }

    private static Consumer<Decision> accepted(String trunk, String rule) {
        return d -> {
            assertThat(d).isInstanceOf(Decision.Accept.class);
            Decision.Accept accept = (Decision.Accept) d;
            assertThat(accept.trunk() instanceof CompiledTrunk compiled ? compiled.name() : null).isEqualTo(trunk);
            assertThat(accept.rule().name()).isEqualTo(rule);
        };
    }

    private static Consumer<Decision> rejected(Reason reason) {
        return d -> {
            assertThat(d).isInstanceOf(Decision.Reject.class);
            assertThat(((Decision.Reject) d).reason()).isEqualTo(reason);
        };
    }

    private static Consumer<Decision> rejected(Reason reason, int sipStatus) {
        return rejected(reason).andThen(d -> assertThat(((Decision.Reject) d).reason().sipStatus()).isEqualTo(sipStatus));
    }

    private static Consumer<Decision> pinRequired(String rule) {
        return d -> {
            assertThat(d).isInstanceOf(Decision.PinRequired.class);
            assertThat(((Decision.PinRequired) d).rule().name()).isEqualTo(rule);
        };
    }

    private static Consumer<Decision> room(String name) {
        return d -> {
            assertThat(d).isInstanceOf(Decision.Accept.class);
            assertThat(((Decision.Accept) d).roomName()).isEqualTo(name);
        };
    }

    private static Consumer<Decision> participant(Consumer<Decision.Participant> check) {
        return d -> {
            assertThat(d).isInstanceOf(Decision.Accept.class);
            check.accept(((Decision.Accept) d).participant());
        };
    }
}
