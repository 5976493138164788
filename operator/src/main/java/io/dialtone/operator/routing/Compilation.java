package io.dialtone.operator.routing;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One gateway's compiled routing: the document its pods load, its revision, and what happened to each trunk and
 * rule. A compilation with {@code problems} has no document: the gateway itself is unusable (e.g. its LiveKit
 * credentials are missing) and the pods keep the revision they run.
 *
 * @param document the gzip-compressed YAML documents of the routing Secret, null when {@code problems} is not empty
 * @param secrets  names of the Secrets it read, so a change to one of them recompiles the gateway
 */
public record Compilation(String revision, byte[] document, Map<ResourceKey, Outcome> outcomes, List<String> problems,
                          Set<String> secrets) {
    public Compilation {
        outcomes = Map.copyOf(outcomes);
        problems = List.copyOf(problems);
        secrets = Set.copyOf(secrets);
    }

    public boolean succeeded() {
        return problems.isEmpty();
    }

    public long included() {
        return outcomes.values().stream().filter(Outcome::included).count();
    }
}
