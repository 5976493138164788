package io.dialtone.routing;

import io.dialtone.api.v1alpha1.DirectRule;
import io.dialtone.api.v1alpha1.DispatchRuleSpec;
import io.dialtone.api.v1alpha1.IndividualRule;
import io.dialtone.api.v1alpha1.RuleKind;
import java.util.Comparator;
import java.util.Set;

/**
 * A DispatchRule with LiveKit's priority computed and its numbers normalised. The rule kind is kept beside the
 * spec because every accepted call reads it.
 *
 * @param uid the DispatchRule's UID, by which the operator counts its calls; "" outside a cluster
 * @param pin the PIN, or null for an open rule
 */
public record CompiledRule(
        String name,
        String uid,
        DispatchRuleSpec spec,
        RuleKind kind,
        Set<String> trunks,
        Set<String> numbers,
        Set<String> inboundNumbers,
        String pin,
        int priority) {

    /** Lower wins: LiveKit's priority, then the room name or prefix, then the resource name. */
    static final Comparator<CompiledRule> PRECEDENCE = Comparator.comparingInt((CompiledRule r) -> r.priority())
            .thenComparing(r -> r.kind().roomKey())
            .thenComparing(CompiledRule::name);

    static CompiledRule compile(String name, String uid, DispatchRuleSpec spec) {
        RuleKind kind = spec.kind();
        String pin = kind.pin() == null || kind.pin().isEmpty() ? null : kind.pin();
        return new CompiledRule(name, uid, spec, kind, Set.copyOf(spec.trunkRefs()),
                CompiledTrunk.normalizedSet(spec.numbers()),
                CompiledTrunk.normalizedSet(spec.inboundNumbers()),
                pin, priorityOf(spec, pin != null));
    }

    /**
     * LiveKit's table: PIN-protected direct 0, individual 1, callee 2; open ones 100, 101, 102; and 1000 more for
     * each of inboundNumbers and numbers that is left empty, so narrower rules win.
     */
    static int priorityOf(DispatchRuleSpec spec, boolean hasPin) {
        RuleKind kind = spec.kind();
        int base;
        if (kind instanceof DirectRule) {
            base = 0;
        } else if (kind instanceof IndividualRule) {
            base = 1;
        } else {
            base = 2;
        }
        int priority = hasPin ? base : base + 100;
        if (spec.inboundNumbers().isEmpty()) {
            priority += 1000;
        }
        if (spec.numbers().isEmpty()) {
            priority += 1000;
        }
        return priority;
    }

    public boolean forAllTrunks() {
        return trunks.isEmpty();
    }

    boolean admitsCaller(String normalizedCaller) {
        return inboundNumbers.isEmpty() || inboundNumbers.contains(normalizedCaller);
    }

    boolean admitsPin(PinEntry entry) {
        if (pin == null) {
            return true;
        }
        if (entry instanceof PinEntry.Entered entered) {
            return entered.digits().equals(pin);
        }
        return entry instanceof PinEntry.NotAsked;
    }
}
