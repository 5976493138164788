package io.dialtone.routing;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipTrunk;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds what would go wrong at call time while the configuration is still being applied: trunks that compete for
 * the same calls, rules that tie or can never match, references to trunks that do not exist, trunks no rule serves.
 * Candidate pairs come from the same number and trunk indexes routing uses, so large tables stay cheap to check.
 */
public final class RoutingValidator {
    private RoutingValidator() {
    }

    public static List<Finding> validate(RoutingConfig config) {
        List<Finding> findings = new ArrayList<>();
        Map<String, CompiledTrunk> trunks = new LinkedHashMap<>();
        for (SipTrunk trunk : config.trunks()) {
            try {
                CompiledTrunk compiled = RoutingTable.compileTrunk(trunk);
                trunks.put(compiled.name(), compiled);
            } catch (IllegalArgumentException e) {
                findings.add(new Finding(Finding.Type.INVALID, "SipTrunk", trunk.getMetadata().getName(), null,
                        e.getMessage()));
            }
        }
        List<CompiledRule> rules = new ArrayList<>();
        for (DispatchRule rule : config.rules()) {
            try {
                rules.add(RoutingTable.compileRule(rule));
            } catch (IllegalArgumentException e) {
                findings.add(new Finding(Finding.Type.INVALID, "DispatchRule", rule.getMetadata().getName(), null,
                        e.getMessage()));
            }
        }
        trunkConflicts(trunks.values(), findings);
        ruleFindings(rules, trunks, findings);
        return findings;
    }

    private static void trunkConflicts(Collection<CompiledTrunk> trunks, List<Finding> findings) {
        Map<String, List<CompiledTrunk>> byNumber = new HashMap<>();
        List<CompiledTrunk> defaults = new ArrayList<>();
        for (CompiledTrunk trunk : trunks) {
            if (trunk.isDefault()) {
                defaults.add(trunk);
            }
            trunk.numbers().forEach(n -> byNumber.computeIfAbsent(n, k -> new ArrayList<>()).add(trunk));
        }
        Set<String> reported = new LinkedHashSet<>();
        for (Map.Entry<String, List<CompiledTrunk>> entry : byNumber.entrySet()) {
            pairwiseTrunks(entry.getValue(), "number " + entry.getKey(), reported, findings);
        }
        pairwiseTrunks(defaults, "no numbers (both are default trunks)", reported, findings);
    }

    private static void pairwiseTrunks(List<CompiledTrunk> trunks, String what, Set<String> reported,
                                       List<Finding> findings) {
        for (int i = 0; i < trunks.size(); i++) {
            for (int j = i + 1; j < trunks.size(); j++) {
                CompiledTrunk a = trunks.get(i);
                CompiledTrunk b = trunks.get(j);
                if (!overlap(a.allowedNumbers(), b.allowedNumbers()) || !addressesOverlap(a, b)
                        || !reported.add(a.name() + "\0" + b.name())) {
                    continue;
                }
                String message = "SipTrunks " + a.name() + " and " + b.name() + " share " + what
                        + " and accept calls from the same sources and callers; such calls are rejected as "
                        + "trunk_conflict. Narrow allowedAddresses or allowedNumbers, or split the numbers";
                findings.add(new Finding(Finding.Type.TRUNK_CONFLICT, "SipTrunk", a.name(), b.name(), message));
                findings.add(new Finding(Finding.Type.TRUNK_CONFLICT, "SipTrunk", b.name(), a.name(), message));
            }
        }
    }

    private static boolean addressesOverlap(CompiledTrunk a, CompiledTrunk b) {
        if (a.allowedAddresses().isEmpty() || b.allowedAddresses().isEmpty()) {
            return true;
        }
        for (AddressPattern x : a.allowedAddresses()) {
            for (AddressPattern y : b.allowedAddresses()) {
                if (x.overlaps(y)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Empty means "any", so two filters overlap when either is empty or they share an entry. */
    private static boolean overlap(Set<String> a, Set<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return true;
        }
        Set<String> smaller = a.size() <= b.size() ? a : b;
        Set<String> larger = smaller == a ? b : a;
        return smaller.stream().anyMatch(larger::contains);
    }

    /** Whether filter {@code wide} admits every value {@code narrow} admits. */
    private static boolean covers(Set<String> wide, Set<String> narrow) {
        return wide.isEmpty() || (!narrow.isEmpty() && wide.containsAll(narrow));
    }

    private static void ruleFindings(List<CompiledRule> rules, Map<String, CompiledTrunk> trunks,
                                     List<Finding> findings) {
        RuleIndex forAllTrunks = new RuleIndex();
        Map<String, RuleIndex> byTrunk = new HashMap<>();
        for (CompiledRule rule : rules) {
            if (rule.forAllTrunks()) {
                forAllTrunks.add(rule);
            }
            rule.trunks().forEach(t -> byTrunk.computeIfAbsent(t, k -> new RuleIndex()).add(rule));
        }
        Set<String> served = new LinkedHashSet<>();
        boolean globalRule = false;
        for (CompiledRule rule : rules) {
            globalRule |= rule.forAllTrunks();
            served.addAll(rule.trunks());
            missingTrunks(rule, trunks, findings);
            RuleIndex scope = rule.forAllTrunks() ? forAllTrunks : byTrunk.get(rule.trunks().iterator().next());
            String number = rule.numbers().isEmpty() ? null : rule.numbers().iterator().next();
            for (CompiledRule other : scope.candidates(number)) {
                if (other != rule) {
                    compareRules(rule, other, findings);
                }
            }
        }
        if (!globalRule) {
            for (CompiledTrunk trunk : trunks.values()) {
                if (!served.contains(trunk.name())) {
                    findings.add(new Finding(Finding.Type.UNROUTED_TRUNK, "SipTrunk", trunk.name(), null,
                            "no DispatchRule takes calls from SipTrunk " + trunk.name() + ", so every call on it is "
                                    + "rejected with 404 no_rule; add a DispatchRule with trunkRefs [" + trunk.name()
                                    + "] or one without trunkRefs"));
                }
            }
        }
    }

    private static void missingTrunks(CompiledRule rule, Map<String, CompiledTrunk> trunks, List<Finding> findings) {
        for (String ref : rule.trunks()) {
            if (!trunks.containsKey(ref)) {
                findings.add(new Finding(Finding.Type.MISSING_TRUNK, "DispatchRule", rule.name(), ref,
                        "trunkRefs names SipTrunk " + ref + ", which does not exist (or is invalid); calls from it "
                                + "cannot reach this rule until it does"));
            }
        }
    }

    private static void compareRules(CompiledRule rule, CompiledRule other, List<Finding> findings) {
        boolean sameScope = rule.trunks().equals(other.trunks());
        if (sameScope && rule.priority() == other.priority() && java.util.Objects.equals(rule.pin(), other.pin())
                && overlap(rule.numbers(), other.numbers()) && overlap(rule.inboundNumbers(), other.inboundNumbers())) {
            CompiledRule winner = CompiledRule.PRECEDENCE.compare(rule, other) < 0 ? rule : other;
            findings.add(new Finding(Finding.Type.RULE_CONFLICT, "DispatchRule", rule.name(), other.name(),
                    "DispatchRules " + rule.name() + " and " + other.name() + " take the same calls with the same "
                            + "trunks, PIN and priority (" + rule.priority() + "); " + winner.name()
                            + " wins on room name and resource name. Give one of them numbers or inboundNumbers"));
            return;
        }
        boolean scopeCovered = rule.forAllTrunks() ? other.forAllTrunks()
                : !other.forAllTrunks() && other.trunks().containsAll(rule.trunks());
        if (scopeCovered && covers(other.numbers(), rule.numbers())
                && covers(other.inboundNumbers(), rule.inboundNumbers())
                && (other.pin() == null || other.pin().equals(rule.pin()))
                && CompiledRule.PRECEDENCE.compare(other, rule) < 0) {
            findings.add(new Finding(Finding.Type.SHADOWED, "DispatchRule", rule.name(), other.name(),
                    "never matches: DispatchRule " + other.name() + " takes every call this rule would take and wins "
                            + "on priority (" + other.priority() + " against " + rule.priority() + ")"));
        }
    }
}
