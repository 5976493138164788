package io.dialtone.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of one trunk scope (one trunk, or every trunk), split by called number, each list kept in precedence
 * order so the first rule that admits a call is the best of its list.
 */
final class RuleIndex {
    private static final CompiledRule[] NONE = new CompiledRule[0];
    /** The rules of a scope no rule names. */
    static final RuleIndex EMPTY = new RuleIndex();

    private final List<CompiledRule> anyNumber = new ArrayList<>();
    private final Map<String, List<CompiledRule>> byNumber = new HashMap<>();
    /** Arrays of the same lists, filled by {@link #sort()}: one indirection less on every call. */
    private CompiledRule[] anyNumberSorted = NONE;
    private Map<String, CompiledRule[]> byNumberSorted = Map.of();

    void add(CompiledRule rule) {
        if (rule.numbers().isEmpty()) {
            anyNumber.add(rule);
        } else {
            for (String number : rule.numbers()) {
                byNumber.computeIfAbsent(number, n -> new ArrayList<>(1)).add(rule);
            }
        }
    }

    void sort() {
        anyNumber.sort(CompiledRule.PRECEDENCE);
        anyNumberSorted = anyNumber.toArray(NONE);
        Map<String, CompiledRule[]> sorted = new HashMap<>();
        byNumber.forEach((number, list) -> {
            list.sort(CompiledRule.PRECEDENCE);
            sorted.put(number, list.toArray(NONE));
        });
        byNumberSorted = sorted;
    }

    /** The best rule for a call with these normalised numbers, or null. */
    CompiledRule best(String caller, String called, PinEntry pin) {
        CompiledRule forAny = firstAdmitted(anyNumberSorted, caller, pin);
        CompiledRule[] forCalled = byNumberSorted.isEmpty() ? null : byNumberSorted.get(called);
        if (forCalled == null) {
            return forAny;
        }
        CompiledRule forNumber = firstAdmitted(forCalled, caller, pin);
        if (forNumber == null) {
            return forAny;
        }
        return forAny == null || CompiledRule.PRECEDENCE.compare(forNumber, forAny) <= 0 ? forNumber : forAny;
    }

    /** Rules that may take calls to {@code number} (every number when null). */
    Set<CompiledRule> candidates(String number) {
        Set<CompiledRule> out = new LinkedHashSet<>(anyNumber);
        if (number != null) {
            out.addAll(byNumber.getOrDefault(number, List.of()));
        }
        return out;
    }

    private static CompiledRule firstAdmitted(CompiledRule[] candidates, String caller, PinEntry pin) {
        for (CompiledRule rule : candidates) {
            if (rule.admitsCaller(caller) && rule.admitsPin(pin)) {
                return rule;
            }
        }
        return null;
    }
}
