package io.dialtone.routing;

import io.dialtone.api.v1alpha1.AgentDispatch;
import io.dialtone.api.v1alpha1.CalleeRule;
import io.dialtone.api.v1alpha1.DirectRule;
import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.DispatchRuleSpec;
import io.dialtone.api.v1alpha1.HeaderInclusion;
import io.dialtone.api.v1alpha1.IndividualRule;
import io.dialtone.api.v1alpha1.LiveKitConnection;
import io.dialtone.api.v1alpha1.ParticipantTemplate;
import io.dialtone.api.v1alpha1.RoomTemplate;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.api.v1alpha1.SipTrunkSpec;
import io.dialtone.api.v1alpha1.TrunkAuth;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders so each routing case reads as the configuration it describes. */
final class Fixtures {
    private Fixtures() {
    }

    static TrunkBuilder trunk(String name) {
        return new TrunkBuilder(name);
    }

    static RuleBuilder individual(String name, String prefix) {
        return new RuleBuilder(name, new IndividualRule(prefix, null, null, false));
    }

    static RuleBuilder direct(String name, String room) {
        return new RuleBuilder(name, new DirectRule(room, null, null));
    }

    static RuleBuilder callee(String name, String prefix) {
        return new RuleBuilder(name, new CalleeRule(prefix, null, null, false));
    }

    static CallBuilder call() {
        return new CallBuilder();
    }

    static RoutingConfig config(boolean acceptWithoutTrunk, List<TrunkBuilder> trunks, List<RuleBuilder> rules) {
        SipGateway gateway = new SipGateway();
        gateway.setMetadata(new ObjectMetaBuilder().withName("gw").build());
        gateway.setSpec(new SipGatewaySpec(new LiveKitConnection("http://127.0.0.1:7880", null, "k", "s"), null, null,
                null, null, null, null, null, acceptWithoutTrunk, null, null, null, null));
        return new RoutingConfig(gateway, trunks.stream().map(TrunkBuilder::build).toList(),
                rules.stream().map(RuleBuilder::build).toList());
    }

    static final class TrunkBuilder {
        private final String name;
        private List<String> numbers = List.of();
        private List<String> addresses = List.of();
        private List<String> allowedNumbers = List.of();
        private Map<String, String> headersToAttributes = Map.of();
        private HeaderInclusion includeHeaders;
        private TrunkAuth auth;

        TrunkBuilder(String name) {
            this.name = name;
        }

        TrunkBuilder numbers(String... values) {
            numbers = Arrays.asList(values);
            return this;
        }

        TrunkBuilder addresses(String... values) {
            addresses = Arrays.asList(values);
            return this;
        }

        TrunkBuilder callers(String... values) {
            allowedNumbers = Arrays.asList(values);
            return this;
        }

        TrunkBuilder header(String header, String attribute) {
            Map<String, String> copy = new LinkedHashMap<>(headersToAttributes);
            copy.put(header, attribute);
            headersToAttributes = copy;
            return this;
        }

        TrunkBuilder include(HeaderInclusion inclusion) {
            includeHeaders = inclusion;
            return this;
        }

        TrunkBuilder auth(String username, String password) {
            auth = new TrunkAuth(null, username, password, null);
            return this;
        }

        SipTrunk build() {
            SipTrunk trunk = new SipTrunk();
            trunk.setMetadata(new ObjectMetaBuilder().withName(name).build());
            trunk.setSpec(new SipTrunkSpec(null, numbers, addresses, allowedNumbers, auth, null, headersToAttributes,
                    null, includeHeaders, null, null, null, null));
            return trunk;
        }
    }

    static final class RuleBuilder {
        private final String name;
        private Object kind;
        private List<String> trunks = List.of();
        private List<String> numbers = List.of();
        private List<String> inbound = List.of();
        private boolean hide;
        private ParticipantTemplate participant;
        private RoomTemplate room;

        RuleBuilder(String name, Object kind) {
            this.name = name;
            this.kind = kind;
        }

        RuleBuilder pin(String pin) {
            if (kind instanceof IndividualRule i) {
                kind = new IndividualRule(i.roomPrefix(), pin, null, i.noRandomness());
            } else if (kind instanceof DirectRule d) {
                kind = new DirectRule(d.roomName(), pin, null);
            } else {
                CalleeRule c = (CalleeRule) kind;
                kind = new CalleeRule(c.roomPrefix(), pin, null, c.randomize());
            }
            return this;
        }

        RuleBuilder noRandomness() {
            IndividualRule i = (IndividualRule) kind;
            kind = new IndividualRule(i.roomPrefix(), i.pin(), null, true);
            return this;
        }

        RuleBuilder randomize() {
            CalleeRule c = (CalleeRule) kind;
            kind = new CalleeRule(c.roomPrefix(), c.pin(), null, true);
            return this;
        }

        RuleBuilder trunks(String... values) {
            trunks = Arrays.asList(values);
            return this;
        }

        RuleBuilder numbers(String... values) {
            numbers = Arrays.asList(values);
            return this;
        }

        RuleBuilder inbound(String... values) {
            inbound = Arrays.asList(values);
            return this;
        }

        RuleBuilder hidePhoneNumber() {
            hide = true;
            return this;
        }

        RuleBuilder participant(String identity, String displayName, String metadata, Map<String, String> attributes) {
            participant = new ParticipantTemplate(displayName, identity, metadata, attributes);
            return this;
        }

        RuleBuilder room(String metadata, String... agents) {
            room = new RoomTemplate(metadata, "5m", 10,
                    Arrays.stream(agents).map(a -> new AgentDispatch(a, null)).toList());
            return this;
        }

        DispatchRule build() {
            DispatchRule rule = new DispatchRule();
            rule.setMetadata(new ObjectMetaBuilder().withName(name).build());
            rule.setSpec(new DispatchRuleSpec(null,
                    kind instanceof IndividualRule i ? i : null,
                    kind instanceof DirectRule d ? d : null,
                    kind instanceof CalleeRule c ? c : null,
                    trunks, inbound, numbers, hide, participant, room));
            return rule;
        }
    }

    static final class CallBuilder {
        private String source = "203.0.113.7";
        private String from = "+15550100";
        private String fromHost = "carrier.example";
        private String to = "+15550199";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private PinEntry pin = PinEntry.NOT_ASKED;

        CallBuilder source(String value) {
            source = value;
            return this;
        }

        CallBuilder from(String value) {
            from = value;
            return this;
        }

        CallBuilder fromHost(String value) {
            fromHost = value;
            return this;
        }

        CallBuilder to(String value) {
            to = value;
            return this;
        }

        CallBuilder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        CallBuilder pin(PinEntry value) {
            pin = value;
            return this;
        }

        CallRequest build() {
            try {
                return new CallRequest(InetAddress.getByName(source), "udp", from, fromHost, to, "SCL_test",
                        "a84b4c76e66710@pc33.example", headers, pin);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }
}
