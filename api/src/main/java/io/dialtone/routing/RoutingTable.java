package io.dialtone.routing;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipTrunk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The routing decisions of one configuration, indexed so that a call looks at the trunks for its called number and
 * the rules for its trunk and number, never at the whole configuration. Immutable and safe to share between threads;
 * a new configuration builds a new table.
 */
public final class RoutingTable {
    private static final String ANY = "";

    private final boolean acceptWithoutTrunk;
    private final Map<String, List<CompiledTrunk>> trunksByNumber = new HashMap<>();
    private final List<CompiledTrunk> defaultTrunks = new ArrayList<>();
    private final List<CompiledTrunk> allTrunks = new ArrayList<>();
    private final Set<AddressPattern> knownSources = new LinkedHashSet<>();
    private boolean someTrunkAdmitsAnySource;
    /** trunk name (ANY for rules without trunkRefs) → called number (ANY for rules without numbers) → rules by precedence. */
    private final Map<String, Map<String, List<CompiledRule>>> rules = new HashMap<>();
    private final Supplier<String> roomSuffixes;

    private RoutingTable(boolean acceptWithoutTrunk, Supplier<String> roomSuffixes) {
        this.acceptWithoutTrunk = acceptWithoutTrunk;
        this.roomSuffixes = roomSuffixes;
    }

    public static RoutingTable build(RoutingConfig config) {
        return build(config, RoomNames.RANDOM_SUFFIX);
    }

    /**
     * @throws IllegalArgumentException naming the resource when a trunk or rule does not compile; validate the
     *                                  configuration first ({@link RoutingValidator}) to leave such resources out
     */
    public static RoutingTable build(RoutingConfig config, Supplier<String> roomSuffixes) {
        RoutingTable table = new RoutingTable(config.acceptWithoutTrunk(), roomSuffixes);
        for (SipTrunk trunk : config.trunks()) {
            table.addTrunk(compileTrunk(trunk));
        }
        for (DispatchRule rule : config.rules()) {
            table.addRule(compileRule(rule));
        }
        table.rules.values().forEach(byNumber -> byNumber.values().forEach(list -> list.sort(CompiledRule.PRECEDENCE)));
        return table;
    }

    static CompiledTrunk compileTrunk(SipTrunk trunk) {
        String name = trunk.getMetadata().getName();
        try {
            return CompiledTrunk.compile(name, trunk.getSpec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SipTrunk " + name + ": " + e.getMessage(), e);
        }
    }

    static CompiledRule compileRule(DispatchRule rule) {
        String name = rule.getMetadata().getName();
        if (rule.getSpec().kind() == null) {
            throw new IllegalArgumentException("DispatchRule " + name + ": set exactly one of individual, direct or callee");
        }
        return CompiledRule.compile(name, rule.getSpec());
    }

    private void addTrunk(CompiledTrunk trunk) {
        allTrunks.add(trunk);
        if (trunk.isDefault()) {
            defaultTrunks.add(trunk);
        }
        for (String number : trunk.numbers()) {
            trunksByNumber.computeIfAbsent(number, n -> new ArrayList<>(1)).add(trunk);
        }
        if (trunk.allowedAddresses().isEmpty()) {
            someTrunkAdmitsAnySource = true;
        }
        knownSources.addAll(trunk.allowedAddresses());
    }

    private void addRule(CompiledRule rule) {
        Set<String> trunkKeys = rule.forAllTrunks() ? Set.of(ANY) : rule.trunks();
        Set<String> numberKeys = rule.numbers().isEmpty() ? Set.of(ANY) : rule.numbers();
        for (String trunkKey : trunkKeys) {
            Map<String, List<CompiledRule>> byNumber = rules.computeIfAbsent(trunkKey, k -> new HashMap<>());
            for (String numberKey : numberKeys) {
                byNumber.computeIfAbsent(numberKey, k -> new ArrayList<>(1)).add(rule);
            }
        }
    }

    public List<CompiledTrunk> trunks() {
        return List.copyOf(allTrunks);
    }

    /** Trunk selection and dispatch in one step; authentication, which needs the SIP exchange, is left to the caller. */
    public Decision route(CallRequest call) {
        TrunkMatch match = selectTrunk(call);
        if (match instanceof TrunkMatch.Rejected rejected) {
            return rejected.reject();
        }
        return dispatch(((TrunkMatch.Found) match).trunk(), call);
    }

    /** Picks the trunk a call arrives on: a trunk for the called number beats a default trunk. */
    public TrunkMatch selectTrunk(CallRequest call) {
        String caller = PhoneNumbers.normalize(call.fromUser());
        String called = PhoneNumbers.normalize(call.toUser());
        List<CompiledTrunk> specific = trunksByNumber.getOrDefault(called, List.of());
        CompiledTrunk found = null;
        for (CompiledTrunk trunk : specific) {
            if (trunk.admitsSource(call.source(), call.fromHost()) && trunk.admitsCaller(caller)) {
                if (found != null) {
                    return conflict(call, found, trunk);
                }
                found = trunk;
            }
        }
        if (found != null) {
            return new TrunkMatch.Found(found);
        }
        for (CompiledTrunk trunk : defaultTrunks) {
            if (trunk.admitsSource(call.source(), call.fromHost()) && trunk.admitsCaller(caller)) {
                if (found != null) {
                    return conflict(call, found, trunk);
                }
                found = trunk;
            }
        }
        if (found != null) {
            return new TrunkMatch.Found(found);
        }
        if (acceptWithoutTrunk) {
            return new TrunkMatch.Found(null);
        }
        return new TrunkMatch.Rejected(explainNoTrunk(call, caller, specific));
    }

    private TrunkMatch conflict(CallRequest call, CompiledTrunk first, CompiledTrunk second) {
        return new TrunkMatch.Rejected(new Decision.Reject(Reason.TRUNK_CONFLICT, first, null,
                "SipTrunks " + first.name() + " and " + second.name() + " both accept the call from " + call.fromUser()
                        + " to " + call.toUser() + "; give them distinct numbers, allowedAddresses or allowedNumbers"));
    }

    private Decision.Reject explainNoTrunk(CallRequest call, String caller, List<CompiledTrunk> specific) {
        String source = describeSource(call);
        List<CompiledTrunk> candidates = new ArrayList<>(specific);
        candidates.addAll(defaultTrunks);
        List<CompiledTrunk> sourceOk = candidates.stream()
                .filter(t -> t.admitsSource(call.source(), call.fromHost())).toList();
        if (!sourceOk.isEmpty()) {
            return new Decision.Reject(Reason.CALLER_NOT_ALLOWED, sourceOk.get(0), null,
                    "caller " + call.fromUser() + " (" + caller + ") is not in allowedNumbers of SipTrunk "
                            + names(sourceOk) + "; add it there to accept the call to " + call.toUser());
        }
        if (!knownSource(call)) {
            return new Decision.Reject(Reason.UNKNOWN_SOURCE, null, null,
                    source + " matches no SipTrunk's allowedAddresses; add it to spec.allowedAddresses of the "
                            + "carrier's SipTrunk (call from " + call.fromUser() + " to " + call.toUser() + ")");
        }
        String hint = specific.isEmpty()
                ? "add " + call.toUser() + " to spec.numbers of a SipTrunk, or create a default SipTrunk with no numbers"
                : "SipTrunk " + names(specific) + " lists " + call.toUser() + " but does not allow " + source;
        return new Decision.Reject(Reason.NO_TRUNK_FOR_NUMBER, null, null,
                "no SipTrunk accepts the call from " + call.fromUser() + " to " + call.toUser() + " from " + source
                        + "; " + hint);
    }

    private boolean knownSource(CallRequest call) {
        if (someTrunkAdmitsAnySource) {
            return true;
        }
        for (AddressPattern pattern : knownSources) {
            if (pattern.matches(call.source(), call.fromHost())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Picks the rule for a call on {@code trunk} (null: a call admitted without a trunk): rules that name the trunk
     * beat rules for every trunk; among those, LiveKit's priority decides.
     */
    public Decision dispatch(CompiledTrunk trunk, CallRequest call) {
        String caller = PhoneNumbers.normalize(call.fromUser());
        String called = PhoneNumbers.normalize(call.toUser());
        CompiledRule best = trunk == null ? null : bestRule(trunk.name(), caller, called, call.pin());
        if (best == null) {
            best = bestRule(ANY, caller, called, call.pin());
        }
        if (best == null) {
            return noRule(trunk, call, caller, called);
        }
        if (best.pin() != null && call.pin() instanceof PinEntry.NotAsked) {
            return new Decision.PinRequired(trunk, best);
        }
        String room = RoomNames.roomFor(best.spec().kind(), call.fromUser(), call.toUser(), roomSuffixes);
        return new Decision.Accept(trunk, best, room, Participants.forCall(trunk, best, call), best.spec().room());
    }

    private CompiledRule bestRule(String trunkKey, String caller, String called, PinEntry pin) {
        Map<String, List<CompiledRule>> byNumber = rules.get(trunkKey);
        if (byNumber == null) {
            return null;
        }
        CompiledRule forNumber = firstAdmitted(byNumber.get(called), caller, pin);
        CompiledRule forAny = firstAdmitted(byNumber.get(ANY), caller, pin);
        if (forNumber == null) {
            return forAny;
        }
        if (forAny == null) {
            return forNumber;
        }
        return CompiledRule.PRECEDENCE.compare(forNumber, forAny) <= 0 ? forNumber : forAny;
    }

    private static CompiledRule firstAdmitted(List<CompiledRule> candidates, String caller, PinEntry pin) {
        if (candidates == null) {
            return null;
        }
        for (CompiledRule rule : candidates) {
            if (rule.admitsCaller(caller) && rule.admitsPin(pin)) {
                return rule;
            }
        }
        return null;
    }

    private Decision.Reject noRule(CompiledTrunk trunk, CallRequest call, String caller, String called) {
        if (call.pin() instanceof PinEntry.Entered) {
            CompiledRule protectedRule = trunk == null ? null : bestRule(trunk.name(), caller, called, PinEntry.NOT_ASKED);
            if (protectedRule == null) {
                protectedRule = bestRule(ANY, caller, called, PinEntry.NOT_ASKED);
            }
            if (protectedRule != null) {
                return new Decision.Reject(Reason.PIN_INCORRECT, trunk, protectedRule,
                        "the PIN entered for the call from " + call.fromUser() + " to " + call.toUser()
                                + " does not match DispatchRule " + protectedRule.name());
            }
        }
        String trunkName = trunk == null ? "(no trunk, acceptWithoutTrunk)" : "SipTrunk " + trunk.name();
        return new Decision.Reject(Reason.NO_RULE, trunk, null,
                "no DispatchRule takes the call from " + call.fromUser() + " to " + call.toUser() + " on " + trunkName
                        + "; create a DispatchRule with trunkRefs [" + (trunk == null ? "" : trunk.name())
                        + "] (or none) whose numbers and inboundNumbers include these numbers");
    }

    private static String describeSource(CallRequest call) {
        String address = call.source() == null ? "unknown address" : call.source().getHostAddress();
        return "source " + address + (call.fromHost().isEmpty() ? "" : " (From host " + call.fromHost() + ")");
    }

    private static String names(List<CompiledTrunk> trunks) {
        return trunks.stream().map(CompiledTrunk::name).distinct().collect(Collectors.joining(", "));
    }

    /** The outcome of trunk selection: a trunk (null when admitted by acceptWithoutTrunk) or a rejection. */
    public sealed interface TrunkMatch {
        record Found(CompiledTrunk trunk) implements TrunkMatch {
        }

        record Rejected(Decision.Reject reject) implements TrunkMatch {
        }
    }
}
