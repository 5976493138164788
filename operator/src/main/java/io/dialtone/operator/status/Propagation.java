package io.dialtone.operator.status;

import java.util.List;
import java.util.Map;

/**
 * Whether every ready gateway pod runs a routing revision (DESIGN section 5), and if not, which pods it waits for.
 *
 * @param readyPods      ready pods of the gateway, UID to name
 * @param podRevisions   the revision each scraped pod reported, by UID
 */
public record Propagation(boolean done, String message) {
    public static Propagation of(String gateway, String revision, Map<String, String> readyPods,
                                 Map<String, String> podRevisions) {
        if (revision == null) {
            return new Propagation(false, "SipGateway " + gateway + " has no routing revision yet");
        }
        if (readyPods.isEmpty()) {
            return new Propagation(false, "SipGateway " + gateway + " has no ready pod to run revision " + revision);
        }
        List<String> behind = readyPods.entrySet().stream()
                .filter(pod -> !revision.equals(podRevisions.get(pod.getKey())))
                .map(Map.Entry::getValue).sorted().toList();
        if (behind.isEmpty()) {
            return new Propagation(true, "all " + readyPods.size() + " ready pod(s) of SipGateway " + gateway
                    + " run routing revision " + revision);
        }
        return new Propagation(false, (readyPods.size() - behind.size()) + " of " + readyPods.size()
                + " ready pod(s) run routing revision " + revision + "; waiting for " + String.join(", ", behind));
    }
}
