package io.dialtone.config;

import io.dialtone.api.v1alpha1.Autoscaling;
import io.dialtone.api.v1alpha1.DispatchRuleSpec;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.GatewayMedia;
import io.dialtone.api.v1alpha1.LiveKitConnection;
import io.dialtone.api.v1alpha1.PortRange;
import io.dialtone.api.v1alpha1.RoomTemplate;
import io.dialtone.api.v1alpha1.RuleKind;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.api.v1alpha1.SipListener;
import io.dialtone.api.v1alpha1.SipTransport;
import io.dialtone.api.v1alpha1.SipTrunkSpec;
import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.api.v1alpha1.TrunkAuth;
import io.dialtone.routing.AddressPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks the CRD schema makes (patterns, ranges, CEL rules), made again for documents that never pass through
 * an API server. Messages come from {@link SpecRules}, so both paths say the same thing.
 */
public final class SpecValidator {
    private static final Pattern PHONE_NUMBER = Pattern.compile(SpecRules.PHONE_NUMBER);
    private static final Pattern DURATION = Pattern.compile(SpecRules.DURATION);
    private static final Pattern PIN = Pattern.compile(SpecRules.PIN);
    private static final Pattern X_HEADER = Pattern.compile(SpecRules.X_HEADER);
    private static final Pattern HEADER_VALUE = Pattern.compile(SpecRules.HEADER_VALUE);
    private static final Pattern LIVEKIT_URL = Pattern.compile(SpecRules.LIVEKIT_URL);
    private static final Pattern HOST_NAME = Pattern.compile(SpecRules.HOST_NAME);

    /** A resource without a spec: the operator reads them from the cluster, whose CRDs do not require one. */
    private static final FieldProblem SPEC_REQUIRED = new FieldProblem("spec",
            "is required (an empty one is written spec: {})");
    private final List<FieldProblem> problems = new ArrayList<>();

    private SpecValidator() {
    }

    public static List<FieldProblem> gateway(SipGatewaySpec spec) {
        if (spec == null) {
            return List.of(SPEC_REQUIRED);
        }
        SpecValidator v = new SpecValidator();
        if (spec.livekit() == null) {
            v.fail("spec.livekit", "is required: the LiveKit URL and credentials calls are bridged into");
        } else {
            v.livekit(spec.livekit());
        }
        v.listener(spec.sip());
        v.media(spec.media());
        if (spec.replicas() != null && spec.autoscaling() != null) {
            v.fail("spec", SpecRules.REPLICAS_MESSAGE);
        }
        if (spec.replicas() != null && spec.replicas() < 0) {
            v.fail("spec.replicas", "must be 0 or more");
        }
        if (spec.autoscaling() != null) {
            v.autoscaling(spec.autoscaling());
        }
        v.duration("spec.drain.timeout", spec.drain().timeout());
        if (spec.maxActiveCallsPerPod() != null && spec.maxActiveCallsPerPod() < 1) {
            v.fail("spec.maxActiveCallsPerPod", "must be 1 or more");
        }
        return v.problems;
    }

    public static List<FieldProblem> trunk(SipTrunkSpec spec) {
        if (spec == null) {
            return List.of(SPEC_REQUIRED);
        }
        SpecValidator v = new SpecValidator();
        v.phoneNumbers("spec.numbers", spec.numbers());
        v.phoneNumbers("spec.allowedNumbers", spec.allowedNumbers());
        for (int i = 0; i < spec.allowedAddresses().size(); i++) {
            try {
                AddressPattern.parse(spec.allowedAddresses().get(i));
            } catch (IllegalArgumentException e) {
                v.fail("spec.allowedAddresses[" + i + "]", e.getMessage() + "; " + SpecRules.ADDRESSES_MESSAGE);
            }
        }
        TrunkAuth auth = spec.auth();
        if (auth != null && ((auth.secretRef() != null) == (auth.username() != null && auth.password() != null)
                || (auth.username() != null) != (auth.password() != null))) {
            v.fail("spec.auth", SpecRules.AUTH_MESSAGE);
        }
        spec.headers().forEach((name, value) -> {
            v.xHeader("spec.headers[" + name + "]", name);
            if (!isHeaderValue(value)) {
                v.fail("spec.headers[" + name + "]", SpecRules.HEADER_VALUE_MESSAGE);
            }
        });
        spec.attributesToHeaders().forEach((attribute, header) ->
                v.xHeader("spec.attributesToHeaders[" + attribute + "]", header));
        v.duration("spec.ringingTimeout", spec.ringingTimeout());
        v.duration("spec.maxCallDuration", spec.maxCallDuration());
        v.duration("spec.media.timeout", spec.media().timeout());
        if (spec.media().timeout() != null && DURATION.matcher(spec.media().timeout()).matches()
                && Durations.parse(spec.media().timeout()).toMillis() < 1000) {
            v.fail("spec.media.timeout", "must be 1s or more: every call would be hung up at its first silence");
        }
        return v.problems;
    }

    /**
     * Whether a value may go into a header the gateway sends: one line, no control characters. Also checked on
     * values a room participant sets (attributesToHeaders), which no validator saw.
     */
    public static boolean isHeaderValue(String value) {
        return HEADER_VALUE.matcher(value).matches();
    }

    /**
     * Whether a header the gateway writes into a message it sends may have this name: an X- header, whose name is a
     * SIP token. Also checked on names a room participant asks for (a transfer's headers).
     */
    public static boolean isXHeaderName(String name) {
        return X_HEADER.matcher(name).matches();
    }

    private void xHeader(String path, String name) {
        if (!isXHeaderName(name)) {
            fail(path, "'" + name + "' " + SpecRules.X_HEADER_MESSAGE);
        }
    }

    public static List<FieldProblem> rule(DispatchRuleSpec spec) {
        if (spec == null) {
            return List.of(SPEC_REQUIRED);
        }
        SpecValidator v = new SpecValidator();
        int kinds = (spec.individual() != null ? 1 : 0) + (spec.direct() != null ? 1 : 0) + (spec.callee() != null ? 1 : 0);
        if (kinds != 1) {
            v.fail("spec", SpecRules.ONE_RULE_KIND_MESSAGE);
        } else {
            RuleKind kind = spec.kind();
            String path = "spec." + (spec.individual() != null ? "individual" : spec.direct() != null ? "direct" : "callee");
            if (kind.pin() != null && !PIN.matcher(kind.pin()).matches()) {
                v.fail(path + ".pin", SpecRules.PIN_MESSAGE);
            }
            if (kind.pin() != null && kind.pinSecretRef() != null) {
                v.fail(path, SpecRules.PIN_SOURCE_MESSAGE);
            }
            if (spec.direct() != null && (spec.direct().roomName() == null || spec.direct().roomName().isEmpty())) {
                v.fail(path + ".roomName", "is required: the room every caller joins");
            }
        }
        v.phoneNumbers("spec.numbers", spec.numbers());
        v.phoneNumbers("spec.inboundNumbers", spec.inboundNumbers());
        RoomTemplate room = spec.room();
        if (room.emptyTimeout() != null) {
            v.duration("spec.room.emptyTimeout", room.emptyTimeout());
        }
        if (room.maxParticipants() != null && room.maxParticipants() < 0) {
            v.fail("spec.room.maxParticipants", "must be 0 or more");
        }
        for (int i = 0; i < room.agents().size(); i++) {
            String name = room.agents().get(i).agentName();
            if (name == null || name.isEmpty()) {
                v.fail("spec.room.agents[" + i + "].agentName", "is required: the name the agent worker registered with");
            }
        }
        return v.problems;
    }

    private void livekit(LiveKitConnection livekit) {
        if (livekit.url() == null || !LIVEKIT_URL.matcher(livekit.url()).matches()) {
            fail("spec.livekit.url", SpecRules.LIVEKIT_URL_MESSAGE);
        }
        boolean inline = livekit.apiKey() != null && livekit.apiSecret() != null;
        if ((livekit.credentialsSecret() != null) == inline || (livekit.apiKey() != null) != (livekit.apiSecret() != null)) {
            fail("spec.livekit", SpecRules.CREDENTIALS_MESSAGE);
        }
    }

    private void listener(SipListener sip) {
        port("spec.sip.port", sip.port());
        if (sip.transports().isEmpty()) {
            fail("spec.sip.transports", "needs at least one of udp, tcp, tls");
        }
        if (sip.transports().contains(SipTransport.tls)) {
            if (sip.tls() == null) {
                fail("spec.sip", SpecRules.TLS_MESSAGE);
            } else {
                port("spec.sip.tls.port", sip.tls().port());
            }
        }
        String idle = sip.connections().idleTimeout();
        duration("spec.sip.connections.idleTimeout", idle);
        if (DURATION.matcher(idle).matches() && Durations.parse(idle).compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            fail("spec.sip.connections.idleTimeout", "must be 1s or more");
        }
        if (sip.connections().max() < 1 || sip.connections().maxPerSource() < 1) {
            fail("spec.sip.connections", "max and maxPerSource must be 1 or more");
        }
        String read = sip.connections().readTimeout();
        duration("spec.sip.connections.readTimeout", read);
        if (DURATION.matcher(read).matches() && Durations.parse(read).compareTo(java.time.Duration.ofMillis(100)) < 0) {
            fail("spec.sip.connections.readTimeout", "must be 100ms or more");
        }
        if (sip.connections().maxMessageBytes() < 4096 || sip.connections().maxMessageBytes() > 1048576) {
            fail("spec.sip.connections.maxMessageBytes", "must be 4096 to 1048576");
        }
    }

    private void media(GatewayMedia media) {
        PortRange range = media.rtpPortRange();
        if (range.min() == null || range.max() == null) {
            fail("spec.media.rtpPortRange", "needs both min and max");
        } else {
            if (range.min() < 1024 || range.max() > 65535) {
                fail("spec.media.rtpPortRange", "must lie within 1024-65535");
            }
            if (range.min() >= range.max()) {
                fail("spec.media.rtpPortRange", SpecRules.PORT_RANGE_ORDER_MESSAGE);
            }
            if (range.min() % 2 != 0) {
                fail("spec.media.rtpPortRange.min", SpecRules.PORT_RANGE_EVEN_MESSAGE);
            }
        }
        String address = media.externalAddress();
        boolean keyword = GatewayMedia.AUTO.equals(address) || "nodeExternalIP".equals(address);
        boolean literal = !address.contains("/") && isAddressLiteral(address);
        boolean host = HOST_NAME.matcher(address).matches() && address.chars().anyMatch(Character::isLetter);
        if (!keyword && !literal && !host) {
            fail("spec.media.externalAddress", SpecRules.EXTERNAL_ADDRESS_MESSAGE);
        }
    }

    private static boolean isAddressLiteral(String text) {
        try {
            return AddressPattern.parse(text) instanceof AddressPattern.Cidr;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void autoscaling(Autoscaling autoscaling) {
        if (autoscaling.maxReplicas() == null) {
            fail("spec.autoscaling.maxReplicas", "is required");
        } else if (autoscaling.minReplicas() > autoscaling.maxReplicas()) {
            fail("spec.autoscaling", SpecRules.AUTOSCALING_MESSAGE);
        }
        autoscaling.cpuTarget().ifPresent(cpu -> {
            if (cpu < 1 || cpu > 100) {
                fail("spec.autoscaling.targetCPUUtilizationPercentage", "must be between 1 and 100");
            }
        });
        int window = autoscaling.scaleDownStabilizationSeconds();
        if (window < 0 || window > 3600) {
            fail("spec.autoscaling.scaleDownStabilizationSeconds", "must be between 0 and 3600");
        }
    }

    private void phoneNumbers(String path, List<String> numbers) {
        for (int i = 0; i < numbers.size(); i++) {
            String number = numbers.get(i);
            if (number == null || number.length() > 32 || !PHONE_NUMBER.matcher(number).matches()) {
                fail(path + "[" + i + "]", "'" + number + "' " + SpecRules.PHONE_NUMBER_MESSAGE);
            }
        }
    }

    private void duration(String path, String value) {
        if (value != null && !DURATION.matcher(value).matches()) {
            fail(path, "'" + value + "' " + SpecRules.DURATION_MESSAGE);
        }
    }

    private void port(String path, Integer port) {
        if (port == null || port < 1 || port > 65535) {
            fail(path, "must be a port between 1 and 65535");
        }
    }

    private void fail(String path, String message) {
        problems.add(new FieldProblem(path, message));
    }
}
