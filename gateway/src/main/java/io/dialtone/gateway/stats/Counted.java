package io.dialtone.gateway.stats;

import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.CompiledRule;

/**
 * Whose calls a counter holds: a trunk or rule by name, and by UID in a cluster, so that one recreated under the
 * same name starts a counter of its own (the operator sums counters by UID).
 */
public record Counted(String name, String uid) {
    /** No trunk or no rule: calls refused before one was known. */
    public static final Counted NONE = new Counted("", "");

    public static Counted of(CallTrunk trunk) {
        return new Counted(trunk.name(), trunk.uid());
    }

    public static Counted of(CompiledRule rule) {
        return new Counted(rule.name(), rule.uid());
    }

    /** The key /stats reports the counter under: the UID where there is one. */
    public String key() {
        return uid.isEmpty() ? name : uid;
    }
}
