package io.dialtone.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.routing.Finding;
import io.dialtone.routing.RoutingConfig;
import io.dialtone.routing.RoutingValidator;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a gateway's configuration from YAML documents: the SipGateway, SipTrunk and DispatchRule resources a
 * cluster would hold, plus the v1 Secrets they refer to. Strict on purpose: unknown fields, wrong types, values the
 * CRD schema would refuse and references that do not resolve are all reported, each with its file, document,
 * resource and field, and nothing is loaded until every problem is fixed.
 */
public final class RoutingDocuments {
    public static final String API_VERSION = SipGateway.GROUP + "/" + SipGateway.VERSION;
    private static final Map<String, Class<? extends CustomResource<?, ?>>> KINDS = Map.of(
            "SipGateway", SipGateway.class, "SipTrunk", SipTrunk.class, "DispatchRule", DispatchRule.class);

    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final Function<String, String> environment;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final List<Parsed<SipGateway>> gateways = new ArrayList<>();
    private final List<Parsed<SipTrunk>> trunks = new ArrayList<>();
    private final List<Parsed<DispatchRule>> rules = new ArrayList<>();
    private final Map<String, Map<String, String>> secrets = new HashMap<>();

    private record Parsed<T>(T resource, String source, int document, int line, String label) {
    }

    private RoutingDocuments(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Loads files, or every *.yaml and *.yml file of a directory, with ${VAR} taken from the process environment. */
    public static LoadedConfig load(List<Path> paths) throws ConfigException {
        return load(paths, System::getenv);
    }

    public static LoadedConfig load(List<Path> paths, Function<String, String> environment) throws ConfigException {
        RoutingDocuments documents = new RoutingDocuments(environment);
        for (Path path : expand(paths, documents.problems)) {
            try {
                documents.read(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
            } catch (IOException e) {
                documents.problems.add(new ConfigProblem(path.toString(), 0, 0, null, null,
                        "cannot be read: " + e.getMessage()));
            }
        }
        return documents.finish();
    }

    /**
     * Loads documents held in memory.
     *
     * @param environment where ${VAR} is looked up; null for documents whose values are final, like the routing
     *                    document the operator compiled from cluster resources, where "${" is just text
     */
    public static LoadedConfig parse(String source, String yaml, Function<String, String> environment)
            throws ConfigException {
        RoutingDocuments documents = new RoutingDocuments(environment);
        documents.read(source, yaml);
        return documents.finish();
    }

    private static List<Path> expand(List<Path> paths, List<ConfigProblem> problems) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> entries = Files.list(path)) {
                    List<Path> yaml = entries.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                            .filter(Files::isRegularFile).sorted().toList();
                    if (yaml.isEmpty()) {
                        problems.add(new ConfigProblem(path.toString(), 0, 0, null, null,
                                "is a directory without *.yaml or *.yml files"));
                    }
                    files.addAll(yaml);
                } catch (IOException e) {
                    problems.add(new ConfigProblem(path.toString(), 0, 0, null, null,
                            "cannot be listed: " + e.getMessage()));
                }
            } else if (!Files.exists(path)) {
                problems.add(new ConfigProblem(path.toString(), 0, 0, null, null, "does not exist"));
            } else {
                files.add(path);
            }
        }
        return files;
    }

    private void read(String source, String text) {
        int document = 0;
        try (JsonParser parser = new YAMLFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                document++;
                int line = parser.currentTokenLocation().getLineNr();
                JsonNode node = STRICT.readTree(parser);
                if (token == JsonToken.VALUE_NULL || node == null || node.isNull() || node.isMissingNode()) {
                    document--;
                    continue;
                }
                readDocument(source, document, line, node);
            }
            if (document == 0) {
                problems.add(new ConfigProblem(source, 0, 0, null, null, "holds no YAML documents"));
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            problems.add(new ConfigProblem(source, document, line, null, null,
                    "is not valid YAML: " + e.getOriginalMessage()));
        } catch (IOException e) {
            problems.add(new ConfigProblem(source, 0, 0, null, null, "cannot be read: " + e.getMessage()));
        }
    }

    private void readDocument(String source, int document, int line, JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            problems.add(new ConfigProblem(source, document, line, null, null,
                    "must be a mapping with apiVersion, kind, metadata and spec"));
            return;
        }
        String kind = object.path("kind").asText("");
        String apiVersion = object.path("apiVersion").asText("");
        String name = object.path("metadata").path("name").asText("");
        String label = (kind.isEmpty() ? "document" : kind) + (name.isEmpty() ? "" : " " + name);
        if (name.isEmpty()) {
            problems.add(new ConfigProblem(source, document, line, label, "metadata.name", "is required"));
            return;
        }
        if ("Secret".equals(kind) && "v1".equals(apiVersion)) {
            readSecret(source, document, line, label, object);
            return;
        }
        Class<? extends CustomResource<?, ?>> type = KINDS.get(kind);
        if (type == null) {
            problems.add(new ConfigProblem(source, document, line, label, "kind",
                    "'" + kind + "' is not part of a Dialtone configuration; expected SipGateway, SipTrunk, "
                            + "DispatchRule (apiVersion " + API_VERSION + ") or Secret (apiVersion v1)"));
            return;
        }
        if (!API_VERSION.equals(apiVersion)) {
            problems.add(new ConfigProblem(source, document, line, label, "apiVersion",
                    "'" + apiVersion + "' is not served; use " + API_VERSION));
            return;
        }
        // "spec:" with nothing after it is no spec either (found by WireFormatFuzzTest, which it used to crash).
        if (!object.hasNonNull("spec")) {
            problems.add(new ConfigProblem(source, document, line, label, "spec", "is required"));
            return;
        }
        object.remove("status");
        substitute(object.get("spec"), "spec", source, document, line, label);
        UnknownFieldCollector unknown = new UnknownFieldCollector();
        try {
            Object resource = STRICT.readerFor(type).withHandler(unknown).readValue(object);
            List<FieldProblem> invalid = new ArrayList<>(unknown.problems());
            if (resource instanceof SipGateway gateway) {
                invalid.addAll(SpecValidator.gateway(gateway.getSpec()));
                gateways.add(new Parsed<>(gateway, source, document, line, label));
            } else if (resource instanceof SipTrunk trunk) {
                invalid.addAll(SpecValidator.trunk(trunk.getSpec()));
                trunks.add(new Parsed<>(trunk, source, document, line, label));
            } else {
                DispatchRule rule = (DispatchRule) resource;
                invalid.addAll(SpecValidator.rule(rule.getSpec()));
                rules.add(new Parsed<>(rule, source, document, line, label));
            }
            invalid.forEach(p -> problems.add(new ConfigProblem(source, document, line, label, p.path(), p.message())));
        } catch (IOException e) {
            unknown.problems().forEach(p -> problems.add(new ConfigProblem(source, document, line, label, p.path(), p.message())));
            problems.add(new ConfigProblem(source, document, line, label,
                    e instanceof JsonMappingException m ? path(m) : null,
                    e instanceof JsonProcessingException j ? describe(j) : e.getMessage()));
        }
    }

    private void substitute(JsonNode node, String path, String source, int document, int line, String label) {
        if (environment == null) {
            return;
        }
        for (FieldProblem missing : new EnvSubstitution(environment).apply(node, path)) {
            problems.add(new ConfigProblem(source, document, line, label, missing.path(), missing.message()));
        }
    }

    private void readSecret(String source, int document, int line, String label, ObjectNode object) {
        Map<String, String> data = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> encoded = object.path("data").fields();
        while (encoded.hasNext()) {
            Map.Entry<String, JsonNode> entry = encoded.next();
            try {
                data.put(entry.getKey(), new String(Base64.getDecoder().decode(entry.getValue().asText()),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(source, document, line, label, "data." + entry.getKey(),
                        "is not base64; put plain text under stringData instead"));
            }
        }
        JsonNode stringData = object.path("stringData").deepCopy();
        substitute(stringData, "stringData", source, document, line, label);
        stringData.fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        String name = object.path("metadata").path("name").asText();
        if (secrets.put(name, data) != null) {
            problems.add(new ConfigProblem(source, document, line, label, "metadata.name",
                    "Secret " + name + " is defined twice"));
        }
    }

    private LoadedConfig finish() throws ConfigException {
        if (gateways.isEmpty() && problems.isEmpty()) {
            problems.add(new ConfigProblem(sources(), 0, 0, null, null,
                    "no SipGateway document: a gateway needs one for its LiveKit URL, credentials and ports"));
        }
        if (gateways.size() > 1) {
            for (Parsed<SipGateway> extra : gateways.subList(1, gateways.size())) {
                problems.add(problem(extra, "metadata.name", "a configuration describes one SipGateway, and "
                        + gateways.get(0).label() + " came first; split them into one configuration per gateway"));
            }
        }
        unique(trunks);
        unique(rules);
        String gatewayName = gateways.isEmpty() ? null : gateways.get(0).resource().getMetadata().getName();
        SecretResolver resolver = new SecretResolver(secrets::get);

        SipGateway gateway = null;
        if (!gateways.isEmpty()) {
            Parsed<SipGateway> parsed = gateways.get(0);
            gateway = resolver.resolve(parsed.resource(), (path, message) -> problems.add(problem(parsed, path, message)));
        }
        List<SipTrunk> resolvedTrunks = new ArrayList<>();
        for (Parsed<SipTrunk> parsed : trunks) {
            checkGatewayRef(parsed, parsed.resource().getSpec().gatewayRef(), gatewayName);
            resolvedTrunks.add(resolver.resolve(parsed.resource(), (path, message) -> problems.add(problem(parsed, path, message))));
        }
        List<DispatchRule> resolvedRules = new ArrayList<>();
        for (Parsed<DispatchRule> parsed : rules) {
            checkGatewayRef(parsed, parsed.resource().getSpec().gatewayRef(), gatewayName);
            resolvedRules.add(resolver.resolve(parsed.resource(), (path, message) -> problems.add(problem(parsed, path, message))));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        RoutingConfig config = new RoutingConfig(gateway, resolvedTrunks, resolvedRules);
        List<Finding> findings = RoutingValidator.validate(config);
        List<ConfigProblem> invalid = findings.stream().filter(f -> f.type() == Finding.Type.INVALID)
                .map(f -> new ConfigProblem(sources(), 0, 0, f.kind() + " " + f.name(), null, f.message())).toList();
        if (!invalid.isEmpty()) {
            throw new ConfigException(invalid);
        }
        return new LoadedConfig(config, findings, revision(config));
    }

    private <T extends CustomResource<?, ?>> void unique(List<Parsed<T>> resources) {
        Set<String> seen = new HashSet<>();
        for (Parsed<T> parsed : resources) {
            if (!seen.add(parsed.resource().getMetadata().getName())) {
                problems.add(problem(parsed, "metadata.name", parsed.label() + " is defined twice"));
            }
        }
    }

    private void checkGatewayRef(Parsed<?> parsed, String ref, String gatewayName) {
        if (ref != null && gatewayName != null && !ref.equals(gatewayName)) {
            problems.add(problem(parsed, "spec.gatewayRef", "refers to SipGateway " + ref
                    + ", but this configuration's gateway is " + gatewayName));
        }
    }

    private String sources() {
        return Stream.of(gateways, trunks, rules).flatMap(List::stream).map(Parsed::source).distinct()
                .collect(Collectors.joining(", "));
    }

    private static ConfigProblem problem(Parsed<?> parsed, String path, String message) {
        return new ConfigProblem(parsed.source(), parsed.document(), parsed.line(), parsed.label(), path, message);
    }

    /** A short content hash of the resolved configuration: equal configurations get equal revisions. */
    static String revision(RoutingConfig config) {
        try {
            Map<String, Object> canonical = new LinkedHashMap<>();
            canonical.put("gateway", config.gateway() == null ? null : specOf(config.gateway()));
            canonical.put("trunks", config.trunks().stream().collect(Collectors.toMap(
                    t -> t.getMetadata().getName(), RoutingDocuments::specOf, (a, b) -> a, java.util.TreeMap::new)));
            canonical.put("rules", config.rules().stream().collect(Collectors.toMap(
                    r -> r.getMetadata().getName(), RoutingDocuments::specOf, (a, b) -> a, java.util.TreeMap::new)));
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(canonical));
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 6));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash configuration", e);
        }
    }

    private static JsonNode specOf(CustomResource<?, ?> resource) {
        return CANONICAL.valueToTree(resource.getSpec());
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String describe(JsonProcessingException e) {
        if (e instanceof InvalidFormatException invalid) {
            Class<?> target = invalid.getTargetType();
            if (target != null && target.isEnum()) {
                return "'" + invalid.getValue() + "' is not one of: " + Arrays.stream(target.getEnumConstants())
                        .map(c -> enumName((Enum<?>) c)).collect(Collectors.joining(", "));
            }
            return "'" + invalid.getValue() + "' is not " + article(target);
        }
        if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            return "expected " + article(mismatched.getTargetType());
        }
        return e.getOriginalMessage();
    }

    private static String enumName(Enum<?> constant) {
        try {
            com.fasterxml.jackson.annotation.JsonProperty renamed = constant.getDeclaringClass()
                    .getField(constant.name()).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            return renamed == null ? constant.name() : renamed.value();
        } catch (NoSuchFieldException e) {
            return constant.name();
        }
    }

    private static String article(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a mapping of names to values";
        }
        return "a mapping (" + type.getSimpleName() + ")";
    }
}
