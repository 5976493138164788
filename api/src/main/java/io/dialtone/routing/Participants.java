package io.dialtone.routing;

import io.dialtone.api.v1alpha1.HeaderInclusion;
import io.dialtone.api.v1alpha1.ParticipantTemplate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Builds the participant a caller becomes: identity, name and the sip.* attributes LiveKit's SIP service sets. */
public final class Participants {
    public static final String ATTR_CALL_ID = "sip.callID";
    public static final String ATTR_CALL_ID_FULL = "sip.callIDFull";
    public static final String ATTR_TRUNK_ID = "sip.trunkID";
    public static final String ATTR_RULE_ID = "sip.ruleID";
    public static final String ATTR_PHONE_NUMBER = "sip.phoneNumber";
    public static final String ATTR_TRUNK_PHONE_NUMBER = "sip.trunkPhoneNumber";
    public static final String ATTR_HOSTNAME = "sip.hostname";
    public static final String ATTR_CALL_STATUS = "sip.callStatus";
    public static final String HEADER_ATTR_PREFIX = "sip.h.";
    public static final String STATUS_RINGING = "ringing";

    private Participants() {
    }

    static Decision.Participant forCall(CallTrunk trunk, CompiledRule rule, CallRequest call) {
        boolean hide = rule.spec().hidePhoneNumber();
        String identityCaller = hide ? hashedCaller(call.fromUser()) : call.fromUser();
        String shownCaller = hide ? PhoneNumbers.lastFour(call.fromUser()) : call.fromUser();
        String shownCalled = hide ? PhoneNumbers.lastFour(call.toUser()) : call.toUser();

        ParticipantTemplate template = rule.spec().participant();
        String identity = fill(template.identity(), "sip_", identityCaller, shownCalled);
        String name = fill(template.name(), "Phone ", shownCaller, shownCalled);

        // Sized for the sip.* attributes plus the rule's own, so the map never grows while it is filled.
        Map<String, String> attributes = new HashMap<>(32);
        if (!template.attributes().isEmpty()) {
            attributes.putAll(template.attributes());
        }
        if (trunk instanceof CompiledTrunk compiled) {
            if (compiled.mapsHeaders()) {
                copyHeaders(compiled, call, attributes);
            }
            attributes.put(ATTR_TRUNK_ID, compiled.name());
        }
        attributes.put(ATTR_CALL_ID, call.callId());
        attributes.put(ATTR_CALL_ID_FULL, call.sipCallId());
        attributes.put(ATTR_RULE_ID, rule.name());
        attributes.put(ATTR_CALL_STATUS, STATUS_RINGING);
        if (!hide) {
            attributes.put(ATTR_PHONE_NUMBER, call.fromUser());
            attributes.put(ATTR_TRUNK_PHONE_NUMBER, call.toUser());
            if (!call.fromHost().isEmpty()) {
                attributes.put(ATTR_HOSTNAME, call.fromHost());
            }
        }
        return new Decision.Participant(identity, name, template.metadata(), java.util.Collections.unmodifiableMap(attributes));
    }

    private static void copyHeaders(CompiledTrunk trunk, CallRequest call, Map<String, String> attributes) {
        HeaderInclusion inclusion = trunk.spec().includeHeaders();
        if (inclusion != HeaderInclusion.none) {
            for (Map.Entry<String, String> header : call.headers().entrySet()) {
                String lower = header.getKey().toLowerCase(Locale.ROOT);
                if (inclusion == HeaderInclusion.all || lower.startsWith("x-")) {
                    attributes.put(HEADER_ATTR_PREFIX + lower, header.getValue());
                }
            }
        }
        for (Map.Entry<String, String> mapping : trunk.spec().headersToAttributes().entrySet()) {
            String value = call.headers().get(mapping.getKey());
            if (value != null) {
                attributes.put(mapping.getValue(), value);
            }
        }
    }

    private static String fill(String template, String prefix, String caller, String called) {
        if (template == null || template.isEmpty()) {
            return prefix + caller;
        }
        return template.replace("{caller}", caller).replace("{called}", called);
    }

    /** LiveKit's masked identity: the first 8 bytes of SHA-256 over the caller's number, in hex. */
    static String hashedCaller(String caller) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(caller.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
