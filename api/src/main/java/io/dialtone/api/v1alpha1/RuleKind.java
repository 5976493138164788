package io.dialtone.api.v1alpha1;

/** What the three kinds of dispatch rule have in common: an optional PIN. */
public sealed interface RuleKind permits IndividualRule, DirectRule, CalleeRule {
    String pin();

    SecretKeyRef pinSecretRef();

    /** The value rules of equal priority are ordered by: the room name or prefix. */
    String roomKey();
}
