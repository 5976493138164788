package io.dialtone.routing;

/**
 * Something about a configuration a user should know before a call shows it: the operator turns findings into
 * conditions, the gateway logs them, the CLI prints them.
 *
 * @param kind    SipTrunk or DispatchRule
 * @param name    the resource the finding is about
 * @param other   the resource it conflicts with or is shadowed by, or null
 * @param message a sentence that names both resources and what to change
 */
public record Finding(Type type, String kind, String name, String other, String message) {

    public enum Type {
        /** The resource cannot be compiled (a bad address, a missing rule kind); it is left out. */
        INVALID,
        /** Two trunks accept the same calls at the same level; calls that match both are refused. */
        TRUNK_CONFLICT,
        /** Two rules have the same trunks, numbers, PIN and priority; the tie-break decides, which is rarely meant. */
        RULE_CONFLICT,
        /** The rule can never match: another rule takes every call it would take. */
        SHADOWED,
        /** A rule names a trunk that does not exist. */
        MISSING_TRUNK,
        /** No rule takes calls from this trunk: every call on it would be rejected with no_rule. */
        UNROUTED_TRUNK
    }

    @Override
    public String toString() {
        return kind + " " + name + ": " + message;
    }
}
