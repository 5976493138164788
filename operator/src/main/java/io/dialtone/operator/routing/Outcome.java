package io.dialtone.operator.routing;

import java.util.List;

/**
 * What compiling did with one SipTrunk or DispatchRule: whether it is in the routing table, at which generation,
 * and what its conditions should say.
 *
 * @param uid        the metadata.uid of what was compiled: one recreated under the same name is another resource
 * @param generation the metadata.generation that was compiled
 * @param reason     why it is left out (a condition reason such as Invalid or Conflict), null when included
 * @param message    what is wrong, in words, naming the other resource where there is one; null when included
 * @param conflict   a conflict with another resource, also when this one won it; null when none
 * @param shadowed   why the rule can never match; null when it can
 * @param warnings   things the user should know that do not keep the resource out, e.g. a trunk no rule takes
 */
public record Outcome(String uid, long generation, String reason, String message, String conflict, String shadowed,
                      List<String> warnings) {
    public Outcome {
        warnings = List.copyOf(warnings);
    }

    /** Whether this outcome is of that resource at that generation. */
    public boolean of(String resourceUid, long resourceGeneration) {
        return java.util.Objects.equals(uid, resourceUid) && generation == resourceGeneration;
    }

    public boolean included() {
        return reason == null;
    }
}
