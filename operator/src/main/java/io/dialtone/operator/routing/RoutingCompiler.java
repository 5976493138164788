package io.dialtone.operator.routing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.api.v1alpha1.SipListener;
import io.dialtone.api.v1alpha1.SipTls;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.config.CompiledRouting;
import io.dialtone.config.ConfigException;
import io.dialtone.config.FieldProblem;
import io.dialtone.config.LoadedConfig;
import io.dialtone.config.SecretLookup;
import io.dialtone.config.SecretResolver;
import io.dialtone.config.SpecValidator;
import io.dialtone.routing.Finding;
import io.dialtone.routing.RoutingConfig;
import io.dialtone.routing.RoutingValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Compiles a gateway's trunks and rules into the routing document its pods load (docs/architecture.md, "Data flow"). A pure function
 * of the resources and Secrets it is given. Each trunk or rule that cannot be compiled, or that conflicts with an
 * older one, is left out and says why; it never keeps the others from working.
 */
public final class RoutingCompiler {
    /** Where the gateway Deployment mounts the Secret named by sip.tls.secretName. */
    public static final String TLS_DIRECTORY = "/etc/dialtone/tls";
    public static final String REASON_INVALID = "Invalid";
    public static final String REASON_SECRET = "SecretProblem";
    public static final String REASON_CONFLICT = "Conflict";

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final Comparator<HasMetadata> OLDEST_FIRST = Comparator
            .comparing((HasMetadata r) -> r.getMetadata().getCreationTimestamp() == null ? ""
                    : r.getMetadata().getCreationTimestamp())
            .thenComparing(r -> r.getMetadata().getName());

    private RoutingCompiler() {
    }

    public static Compilation compile(SipGateway gateway, List<SipTrunk> trunks, List<DispatchRule> rules,
                                      SecretLookup secrets) {
        Set<String> read = new LinkedHashSet<>();
        SecretResolver resolver = new SecretResolver(new SecretLookup() {
            @Override
            public Map<String, String> find(String name) {
                read.add(name);
                return secrets.find(name);
            }

            @Override
            public String whyMissing(String name) {
                return secrets.whyMissing(name);
            }
        });
        Map<ResourceKey, Outcome> outcomes = new LinkedHashMap<>();
        Map<ResourceKey, List<String>> warnings = new HashMap<>();

        List<String> gatewayProblems = new ArrayList<>();
        SpecValidator.gateway(gateway.getSpec()).forEach(p -> gatewayProblems.add(p.path() + " " + p.message()));
        SipGateway resolvedGateway = resolver.resolve(gateway, (path, message) -> gatewayProblems.add(path + ": " + message));

        Map<String, SipTrunk> includedTrunks = new LinkedHashMap<>();
        for (SipTrunk trunk : sorted(trunks)) {
            SipTrunk resolved = check(trunk, SpecValidator.trunk(trunk.getSpec()), resolver::resolve, outcomes);
            if (resolved != null) {
                includedTrunks.put(trunk.getMetadata().getName(), resolved);
            }
        }
        Map<String, DispatchRule> includedRules = new LinkedHashMap<>();
        for (DispatchRule rule : sorted(rules)) {
            DispatchRule resolved = check(rule, SpecValidator.rule(rule.getSpec()), resolver::resolve, outcomes);
            if (resolved != null) {
                includedRules.put(rule.getMetadata().getName(), resolved);
            }
        }
        Map<ResourceKey, HasMetadata> originals = new HashMap<>();
        trunks.forEach(t -> originals.put(ResourceKey.of(t), t));
        rules.forEach(r -> originals.put(ResourceKey.of(r), r));

        Map<ResourceKey, String> conflicts = new HashMap<>();
        Map<ResourceKey, String> shadowed = new HashMap<>();
        while (true) {
            List<Finding> findings = RoutingValidator.validate(
                    new RoutingConfig(resolvedGateway, List.copyOf(includedTrunks.values()), List.copyOf(includedRules.values())));
            boolean removed = false;
            for (Finding finding : findings) {
                ResourceKey key = new ResourceKey(finding.kind(), finding.name());
                switch (finding.type()) {
                    case INVALID -> removed |= leaveOut(key, REASON_INVALID, finding.message(), includedTrunks,
                            includedRules, originals, outcomes);
                    case TRUNK_CONFLICT, RULE_CONFLICT -> {
                        HasMetadata self = originals.get(key);
                        HasMetadata other = originals.get(new ResourceKey(finding.kind(), finding.other()));
                        boolean loses = OLDEST_FIRST.compare(self, other) > 0;
                        String message = finding.message() + (loses
                                ? ". Left out of the routing table: " + finding.kind() + " " + finding.other()
                                + " is older and keeps taking these calls"
                                : ". " + finding.kind() + " " + finding.other() + " is newer and was left out");
                        conflicts.put(key, message);
                        if (loses) {
                            removed |= leaveOut(key, REASON_CONFLICT, message, includedTrunks, includedRules,
                                    originals, outcomes);
                        }
                    }
                    case SHADOWED -> shadowed.put(key, finding.message());
                    case MISSING_TRUNK, UNROUTED_TRUNK ->
                            warnings.computeIfAbsent(key, k -> new ArrayList<>()).add(finding.message());
                }
            }
            if (!removed) {
                break;
            }
            shadowed.clear();
            warnings.clear();
        }
        for (HasMetadata resource : originals.values()) {
            ResourceKey key = ResourceKey.of(resource);
            Outcome left = outcomes.get(key);
            outcomes.put(key, left != null
                    ? new Outcome(left.uid(), left.generation(), left.reason(), left.message(), conflicts.get(key), null, List.of())
                    : new Outcome(resource.getMetadata().getUid(), generation(resource), null, null, conflicts.get(key), shadowed.get(key),
                    warnings.getOrDefault(key, List.of())));
        }
        if (!gatewayProblems.isEmpty()) {
            return new Compilation(null, null, outcomes, gatewayProblems, read);
        }
        byte[] document = document(withMountedTls(resolvedGateway), includedTrunks.values(), includedRules.values());
        try {
            LoadedConfig loaded = CompiledRouting.load("compiled routing", document);
            return new Compilation(loaded.revision(), document, outcomes, List.of(), read);
        } catch (ConfigException e) {
            return new Compilation(null, null, outcomes,
                    e.problems().stream().map(p -> "compiled document refused: " + p).toList(), read);
        }
    }

    private static <T extends CustomResource<?, ?>> List<T> sorted(List<T> resources) {
        return resources.stream().sorted(Comparator.comparing(r -> r.getMetadata().getName())).toList();
    }

    private static <T extends CustomResource<?, ?>> T check(T resource, List<FieldProblem> invalid,
                                                            Resolver<T> resolver, Map<ResourceKey, Outcome> outcomes) {
        if (!invalid.isEmpty()) {
            outcomes.put(ResourceKey.of(resource), new Outcome(resource.getMetadata().getUid(), generation(resource), REASON_INVALID,
                    describe(invalid.stream().map(p -> p.path() + " " + p.message()).toList()), null, null, List.of()));
            return null;
        }
        List<String> problems = new ArrayList<>();
        T resolved = resolver.resolve(resource, (path, message) -> problems.add(path + ": " + message));
        if (!problems.isEmpty()) {
            outcomes.put(ResourceKey.of(resource), new Outcome(resource.getMetadata().getUid(), generation(resource), REASON_SECRET, describe(problems),
                    null, null, List.of()));
            return null;
        }
        return strip(resolved);
    }

    @FunctionalInterface
    private interface Resolver<T> {
        T resolve(T resource, BiConsumer<String, String> problems);
    }

    private static boolean leaveOut(ResourceKey key, String reason, String message, Map<String, SipTrunk> trunks,
                                    Map<String, DispatchRule> rules, Map<ResourceKey, HasMetadata> originals,
                                    Map<ResourceKey, Outcome> outcomes) {
        boolean removed = "SipTrunk".equals(key.kind()) ? trunks.remove(key.name()) != null
                : rules.remove(key.name()) != null;
        if (removed) {
            outcomes.put(key, new Outcome(originals.get(key).getMetadata().getUid(), generation(originals.get(key)), reason,
                    message,
                    null, null, List.of()));
        }
        return removed;
    }

    private static String describe(List<String> problems) {
        return String.join("; ", problems);
    }

    private static long generation(HasMetadata resource) {
        Long generation = resource.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    /**
     * Only what a gateway needs: name, UID (by which it counts calls, so a resource recreated under the same name
     * starts from zero) and generation; no managed fields, annotations or status.
     */
    @SuppressWarnings("unchecked")
    private static <T extends CustomResource<?, ?>> T strip(T resource) {
        try {
            T copy = (T) resource.getClass().getDeclaredConstructor().newInstance();
            copy.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
                    .withUid(resource.getMetadata().getUid()).withGeneration(resource.getMetadata().getGeneration()).build());
            ((CustomResource<Object, ?>) copy).setSpec(resource.getSpec());
            return copy;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS Secret reaches the pod as files; the compiled gateway names the files. */
    private static SipGateway withMountedTls(SipGateway gateway) {
        SipGatewaySpec spec = gateway.getSpec();
        SipTls tls = spec.sip().tls();
        SipGateway copy = strip(gateway);
        if (tls != null && tls.secretName() != null) {
            SipListener sip = new SipListener(spec.sip().port(), spec.sip().transports(), new SipTls(tls.port(), null,
                    TLS_DIRECTORY + "/tls.crt", TLS_DIRECTORY + "/tls.key"), spec.sip().connections());
            copy.setSpec(new SipGatewaySpec(spec.livekit(), sip, spec.media(), spec.hostNetwork(), spec.replicas(),
                    spec.autoscaling(), spec.drain(), spec.maxActiveCallsPerPod(), spec.acceptWithoutTrunk(),
                    spec.image(), spec.resources(), spec.podTemplate(), spec.service()));
        }
        return copy;
    }

    private static byte[] document(SipGateway gateway, Iterable<SipTrunk> trunks, Iterable<DispatchRule> rules) {
        StringBuilder yaml = new StringBuilder();
        List<HasMetadata> all = new ArrayList<>();
        all.add(gateway);
        trunks.forEach(all::add);
        rules.forEach(all::add);
        try {
            for (HasMetadata resource : all) {
                yaml.append("---\n").append(YAML.writeValueAsString(resource));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write routing document", e);
        }
        return CompiledRouting.compress(yaml.toString());
    }
}
