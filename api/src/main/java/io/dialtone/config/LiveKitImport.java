package io.dialtone.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dialtone.api.v1alpha1.SpecRules;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * LiveKit SIP's inbound trunks and dispatch rules, as {@code lk sip inbound list --json} and {@code lk sip dispatch
 * list --json} print them or as the JSON files {@code lk sip inbound create} and {@code lk sip dispatch create} take,
 * turned into SipTrunk and DispatchRule documents, with a Secret for each trunk's credentials and each rule's PIN
 * (docs/routing.md, "Coming from LiveKit SIP"). Field names are read in both forms protobuf's JSON uses (snake_case
 * and lowerCamelCase). What has no equivalent is refused with the reason, resource by resource; the rest is still
 * translated.
 */
public final class LiveKitImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_VERSION = "dialtone.io/v1alpha1";
    /** Where the LiveKit ID of an imported resource is kept, so that a rule's trunk_ids find their trunks. */
    public static final String ID_ANNOTATION = "dialtone.io/livekit-id";
    private static final Set<String> ROOM_CONFIG_FIELDS = Set.of("name", "metadata", "empty_timeout",
            "max_participants", "agents");

    /**
     * @param documents Secrets first, then SipTrunks, then DispatchRules, each a Kubernetes object
     * @param refused   one line per resource left out, saying which and why
     */
    public record Result(List<ObjectNode> documents, List<String> refused) {
    }

    private final String gatewayRef;
    private final List<ObjectNode> secrets = new ArrayList<>();
    private final List<ObjectNode> trunks = new ArrayList<>();
    private final List<ObjectNode> rules = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();
    private final Map<String, String> trunkNames = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();

    private LiveKitImport(String gatewayRef) {
        this.gatewayRef = gatewayRef;
    }

    /**
     * @param inputs     parsed JSON files, each a list output, one trunk or rule, or a create request
     * @param gatewayRef the SipGateway the resources belong to; null leaves gatewayRef out
     */
    public static Result translate(List<JsonNode> inputs, String gatewayRef) {
        LiveKitImport translation = new LiveKitImport(gatewayRef);
        List<JsonNode> trunkInputs = new ArrayList<>();
        List<JsonNode> ruleInputs = new ArrayList<>();
        for (JsonNode input : inputs) {
            translation.sort(input, trunkInputs, ruleInputs);
        }
        trunkInputs.forEach(translation::trunk);
        ruleInputs.forEach(translation::rule);
        List<ObjectNode> documents = new ArrayList<>(translation.secrets);
        documents.addAll(translation.trunks);
        documents.addAll(translation.rules);
        return new Result(documents, List.copyOf(translation.refused));
    }

    /** Trunks go first whatever the order of the files, so that rules can name them. */
    private void sort(JsonNode input, List<JsonNode> trunkInputs, List<JsonNode> ruleInputs) {
        if (input.isArray()) {
            input.forEach(item -> sort(item, trunkInputs, ruleInputs));
        } else if (!input.isObject()) {
            refused.add("a JSON value that is not an object or a list: " + abbreviate(input));
        } else if (field(input, "items").isArray()) {
            field(input, "items").forEach(item -> sort(item, trunkInputs, ruleInputs));
        } else if (field(input, "trunk").isObject()) {
            sort(field(input, "trunk"), trunkInputs, ruleInputs);
        } else if (field(input, "dispatch_rule").isObject()) {
            ruleInputs.add(field(input, "dispatch_rule"));
        } else if (field(input, "rule").isObject()) {
            ruleInputs.add(input);
        } else if (!field(input, "address").isMissingNode() || !field(input, "destination_country").isMissingNode()) {
            refused.add("outbound trunk " + label(input, "sip_trunk_id") + ": Dialtone takes inbound calls only");
        } else if (!field(input, "sip_trunk_id").isMissingNode() || !field(input, "numbers").isMissingNode()
                || !field(input, "allowed_addresses").isMissingNode()) {
            trunkInputs.add(input);
        } else {
            refused.add("neither an inbound trunk nor a dispatch rule: " + abbreviate(input));
        }
    }

    private void trunk(JsonNode in) {
        String what = "inbound trunk " + label(in, "sip_trunk_id");
        List<String> problems = new ArrayList<>();
        krisp(in, problems);
        if (refused(what, problems)) {
            return;
        }
        String name = name(in, "sip_trunk_id", "trunk");
        ObjectNode spec = JSON.createObjectNode();
        gatewayRef(spec);
        copyList(in, "numbers", spec, "numbers");
        copyList(in, "allowed_addresses", spec, "allowedAddresses");
        copyList(in, "allowed_numbers", spec, "allowedNumbers");
        String username = field(in, "auth_username").asText("");
        String password = field(in, "auth_password").asText("");
        if (!username.isEmpty() || !password.isEmpty()) {
            String secret = secret(name + "-auth", Map.of("username", username, "password", password));
            spec.putObject("auth").putObject("secretRef").put("name", secret);
        }
        copyMap(in, "headers", spec, "headers");
        copyMap(in, "headers_to_attributes", spec, "headersToAttributes");
        copyMap(in, "attributes_to_headers", spec, "attributesToHeaders");
        String headers = enumName(field(in, "include_headers"), "SIP_");
        if (headers.equals("X_HEADERS")) {
            spec.put("includeHeaders", "x-headers");
        } else if (headers.equals("ALL_HEADERS")) {
            spec.put("includeHeaders", "all");
        }
        duration(in, "ringing_timeout", spec, "ringingTimeout");
        duration(in, "max_call_duration", spec, "maxCallDuration");
        encryption(in).ifPresent(encryption -> spec.putObject("media").put("encryption", encryption));
        ObjectNode trunk = resource("SipTrunk", name, in, "sip_trunk_id");
        if (!field(in, "metadata").asText("").isEmpty()) {
            ObjectNode metadata = (ObjectNode) trunk.get("metadata");
            ObjectNode annotations = metadata.has("annotations") ? (ObjectNode) metadata.get("annotations")
                    : metadata.putObject("annotations");
            annotations.put("dialtone.io/livekit-metadata", field(in, "metadata").asText());
        }
        trunk.set("spec", spec);
        trunks.add(trunk);
        String id = field(in, "sip_trunk_id").asText("");
        if (!id.isEmpty()) {
            trunkNames.put(id, name);
        }
    }

    private void rule(JsonNode in) {
        String what = "dispatch rule " + label(in, "sip_dispatch_rule_id");
        List<String> problems = new ArrayList<>();
        JsonNode rule = field(in, "rule");
        JsonNode individual = field(rule, "dispatch_rule_individual");
        JsonNode direct = field(rule, "dispatch_rule_direct");
        JsonNode callee = field(rule, "dispatch_rule_callee");
        if (!individual.isObject() && !direct.isObject() && !callee.isObject()) {
            problems.add("rule: none of dispatch_rule_individual, dispatch_rule_direct or dispatch_rule_callee");
        }
        List<String> trunkRefs = new ArrayList<>();
        for (JsonNode id : field(in, "trunk_ids")) {
            String trunk = trunkNames.get(id.asText());
            if (trunk == null) {
                problems.add("trunk_ids names " + id.asText() + ", which is not among the imported trunks: import "
                        + "its trunk in the same run");
            } else {
                trunkRefs.add(trunk);
            }
        }
        krisp(in, problems);
        if (!field(in, "room_preset").asText("").isEmpty()) {
            problems.add("room_preset " + field(in, "room_preset").asText() + ": presets are LiveKit Cloud's; "
                    + "set the room's settings in the rule's room instead");
        }
        if (encryption(in).isPresent()) {
            problems.add("media_encryption on a rule: set it on the SipTrunk (media.encryption)");
        }
        JsonNode roomConfig = field(in, "room_config");
        for (Iterator<String> fields = roomConfig.fieldNames(); fields.hasNext(); ) {
            String field = snake(fields.next());
            if (!ROOM_CONFIG_FIELDS.contains(field)) {
                problems.add("room_config." + field + ": not supported; the room takes metadata, empty_timeout, "
                        + "max_participants and agents");
            }
        }
        if (refused(what, problems)) {
            return;
        }
        String name = name(in, "sip_dispatch_rule_id", "rule");
        ObjectNode spec = JSON.createObjectNode();
        gatewayRef(spec);
        if (individual.isObject()) {
            ObjectNode kind = spec.putObject("individual");
            text(individual, "room_prefix", kind, "roomPrefix");
            if (field(individual, "no_randomness").asBoolean(false)) {
                kind.put("noRandomness", true);
            }
            pin(individual, name, kind);
        } else if (direct.isObject()) {
            ObjectNode kind = spec.putObject("direct");
            text(direct, "room_name", kind, "roomName");
            pin(direct, name, kind);
        } else {
            ObjectNode kind = spec.putObject("callee");
            text(callee, "room_prefix", kind, "roomPrefix");
            if (field(callee, "randomize").asBoolean(false)) {
                kind.put("randomize", true);
            }
            pin(callee, name, kind);
        }
        if (!trunkRefs.isEmpty()) {
            ArrayNode refs = spec.putArray("trunkRefs");
            trunkRefs.forEach(refs::add);
        }
        copyList(in, "inbound_numbers", spec, "inboundNumbers");
        copyList(in, "numbers", spec, "numbers");
        if (field(in, "hide_phone_number").asBoolean(false)) {
            spec.put("hidePhoneNumber", true);
        }
        ObjectNode participant = JSON.createObjectNode();
        text(in, "metadata", participant, "metadata");
        copyMap(in, "attributes", participant, "attributes");
        if (!participant.isEmpty()) {
            spec.set("participant", participant);
        }
        ObjectNode room = JSON.createObjectNode();
        text(roomConfig, "metadata", room, "metadata");
        if (field(roomConfig, "empty_timeout").asLong(0) > 0) {
            room.put("emptyTimeout", field(roomConfig, "empty_timeout").asLong() + "s");
        }
        if (field(roomConfig, "max_participants").asInt(0) > 0) {
            room.put("maxParticipants", field(roomConfig, "max_participants").asInt());
        }
        if (field(roomConfig, "agents").size() > 0) {
            ArrayNode agents = room.putArray("agents");
            for (JsonNode agent : field(roomConfig, "agents")) {
                ObjectNode dispatch = agents.addObject();
                text(agent, "agent_name", dispatch, "agentName");
                text(agent, "metadata", dispatch, "metadata");
            }
        }
        if (!room.isEmpty()) {
            spec.set("room", room);
        }
        ObjectNode resource = resource("DispatchRule", name, in, "sip_dispatch_rule_id");
        resource.set("spec", spec);
        rules.add(resource);
    }

    /** Leaves the resource out, saying why, when anything in it has no equivalent. */
    private boolean refused(String what, List<String> problems) {
        if (problems.isEmpty()) {
            return false;
        }
        refused.add(what + " left out: " + String.join("; ", problems));
        return true;
    }

    private static void krisp(JsonNode in, List<String> problems) {
        if (field(in, "krisp_enabled").asBoolean(false)) {
            problems.add("krisp_enabled: Dialtone has no noise cancellation");
        }
    }

    /** SRTP as LiveKit's media_encryption asks for it: allow or require; none when disabled or unset. */
    private static Optional<String> encryption(JsonNode in) {
        String encryption = enumName(field(in, "media_encryption"), "SIP_MEDIA_ENCRYPT_");
        return encryption.equals("ALLOW") || encryption.equals("REQUIRE")
                ? Optional.of(encryption.toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** A PIN moves into a Secret of its own, which the rule names. */
    private void pin(JsonNode kind, String rule, ObjectNode out) {
        String pin = field(kind, "pin").asText("");
        if (!pin.isEmpty()) {
            String secret = secret(rule + "-pin", Map.of("pin", pin));
            out.putObject("pinSecretRef").put("name", secret).put("key", "pin");
        }
    }

    private String secret(String wanted, Map<String, String> data) {
        String name = unique(wanted);
        ObjectNode secret = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Secret");
        secret.putObject("metadata").put("name", name).putObject("labels").put(SpecRules.SECRET_LABEL, "true");
        ObjectNode stringData = secret.putObject("stringData");
        data.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> stringData.put(entry.getKey(), entry.getValue()));
        secrets.add(secret);
        return name;
    }

    private ObjectNode resource(String kind, String name, JsonNode in, String idField) {
        ObjectNode resource = JSON.createObjectNode().put("apiVersion", API_VERSION).put("kind", kind);
        ObjectNode metadata = resource.putObject("metadata").put("name", name);
        String id = field(in, idField).asText("");
        if (!id.isEmpty()) {
            metadata.putObject("annotations").put(ID_ANNOTATION, id);
        }
        return resource;
    }

    private void gatewayRef(ObjectNode spec) {
        if (gatewayRef != null) {
            spec.put("gatewayRef", gatewayRef);
        }
    }

    /** The resource's name from LiveKit's, made a Kubernetes name; its ID, or the kind, when it has none. */
    private String name(JsonNode in, String idField, String fallback) {
        String wanted = kubernetesName(field(in, "name").asText(""));
        if (wanted.isEmpty()) {
            wanted = kubernetesName(field(in, idField).asText(""));
        }
        return unique(wanted.isEmpty() ? fallback : wanted);
    }

    private String unique(String wanted) {
        String name = wanted;
        for (int n = 2; !names.add(name); n++) {
            name = wanted + "-" + n;
        }
        return name;
    }

    static String kubernetesName(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-")
                .replaceAll("^-|-$", "");
        return lower.length() > 50 ? lower.substring(0, 50).replaceAll("-$", "") : lower;
    }

    /** A protobuf Duration as JSON writes it ("30s", "1.500s"), as a Dialtone duration ("30s", "1500ms"). */
    private static void duration(JsonNode in, String from, ObjectNode out, String to) {
        String value = field(in, from).asText("");
        if (value.endsWith("s") && !value.isEmpty()) {
            BigDecimal seconds = new BigDecimal(value.substring(0, value.length() - 1));
            if (seconds.signum() > 0) {
                out.put(to, seconds.stripTrailingZeros().scale() <= 0 ? seconds.toBigInteger() + "s"
                        : seconds.movePointRight(3).toBigInteger() + "ms");
            }
        }
    }

    private static void copyList(JsonNode in, String from, ObjectNode out, String to) {
        JsonNode list = field(in, from);
        if (list.isArray() && !list.isEmpty()) {
            out.set(to, list.deepCopy());
        }
    }

    private static void copyMap(JsonNode in, String from, ObjectNode out, String to) {
        JsonNode map = field(in, from);
        if (map.isObject() && !map.isEmpty()) {
            out.set(to, map.deepCopy());
        }
    }

    private static void text(JsonNode in, String from, ObjectNode out, String to) {
        String value = field(in, from).asText("");
        if (!value.isEmpty()) {
            out.put(to, value);
        }
    }

    /** An enum as protobuf's JSON writes it (its name, or its number for the first value), without its prefix. */
    private static String enumName(JsonNode value, String prefix) {
        String name = value.isTextual() ? value.asText() : "";
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }

    /** A field by its proto name or by the lowerCamelCase name protobuf's JSON writes by default. */
    private static JsonNode field(JsonNode in, String snake) {
        JsonNode value = in.path(snake);
        return value.isMissingNode() ? in.path(camel(snake)) : value;
    }

    private static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String snake(String name) {
        return name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    private static String label(JsonNode in, String idField) {
        String name = field(in, "name").asText("");
        String id = field(in, idField).asText("");
        return (name.isEmpty() ? "" : "'" + name + "' ") + (id.isEmpty() ? "(no ID)" : id);
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
