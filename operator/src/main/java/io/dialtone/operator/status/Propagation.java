package io.dialtone.operator.status;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Whether every ready gateway pod runs what it should (docs/architecture.md, "Data flow"), and if not, which pods it waits for.
 */
public record Propagation(boolean done, String message) {
    /**
     * @param what         what the pods should run, in words: "routing revision 1a2b", "generation 3"
     * @param readyPods    ready pods of the gateway, UID to name
     * @param podRevisions the revision each scraped pod reported, by UID
     * @param runs         whether a revision holds what the pods should run
     */
    public static Propagation of(String gateway, String what, Map<String, String> readyPods,
                                 Map<String, String> podRevisions, Predicate<String> runs) {
        if (readyPods.isEmpty()) {
            return new Propagation(false, "SipGateway " + gateway + " has no ready pod to run " + what);
        }
        List<String> behind = readyPods.entrySet().stream()
                .filter(pod -> {
                    String revision = podRevisions.get(pod.getKey());
                    return revision == null || !runs.test(revision);
                })
                .map(Map.Entry::getValue).sorted().toList();
        if (behind.isEmpty()) {
            return new Propagation(true, "all " + readyPods.size() + " ready pod(s) of SipGateway " + gateway
                    + " run " + what);
        }
        return new Propagation(false, (readyPods.size() - behind.size()) + " of " + readyPods.size()
                + " ready pod(s) run " + what + "; waiting for " + String.join(", ", behind));
    }
}
