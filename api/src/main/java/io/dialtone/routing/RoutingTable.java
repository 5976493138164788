package io.dialtone.routing;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The routing decisions of one configuration, indexed so that a call looks at the trunks for its called number and
 * the rules for its trunk and number, never at the whole configuration. Immutable and safe to share between threads;
 * a new configuration builds a new table.
 */
public final class RoutingTable {
    private static final Route[] NO_ROUTES = new Route[0];

    private final boolean acceptWithoutTrunk;
    private final List<CompiledTrunk> allTrunks = new ArrayList<>();
    private final SourceIndex knownSources = new SourceIndex();
    private final Map<String, RuleIndex> rulesByTrunkName = new HashMap<>();
    private final RuleIndex rulesForAllTrunks = new RuleIndex();
    /** Filled once trunks and rules are in: what a call reads, with each trunk's rules one reference away. */
    private final Map<String, Route[]> routesByNumber = new HashMap<>();
    private Route[] defaultRoutes = NO_ROUTES;
    private final Map<CompiledTrunk, RuleIndex> rulesByTrunk = new IdentityHashMap<>();
    private final Supplier<String> roomSuffixes;

    /** A trunk and the rules that name it (null when none do). */
    private record Route(CompiledTrunk trunk, RuleIndex rules) {
    }

    /** What trunk selection came to. */
    private sealed interface RouteMatch {
        /** The one trunk that admits the call, with its rules. */
        record Found(Route route) implements RouteMatch {
        }

        /** No trunk admits the call, and acceptWithoutTrunk takes it. */
        record WithoutTrunk() implements RouteMatch {
        }

        /** No trunk takes the call, or two do. */
        record Refused(Decision.Reject reject) implements RouteMatch {
        }

        /** None of the routes looked at admits the call (the caller looks further). */
        record NoneAdmits() implements RouteMatch {
        }
    }

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
        for (DispatchRule rule : config.rules()) {
            table.addRule(compileRule(rule));
        }
        table.rulesForAllTrunks.sort();
        table.rulesByTrunkName.values().forEach(RuleIndex::sort);
        for (SipTrunk trunk : config.trunks()) {
            table.addTrunk(compileTrunk(trunk));
        }
        return table;
    }

    static CompiledTrunk compileTrunk(SipTrunk trunk) {
        String name = trunk.getMetadata().getName();
        try {
            return CompiledTrunk.compile(name, uidOf(trunk), trunk.getSpec());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SipTrunk " + name + ": " + e.getMessage(), e);
        }
    }

    static CompiledRule compileRule(DispatchRule rule) {
        String name = rule.getMetadata().getName();
        if (rule.getSpec().kind() == null) {
            throw new IllegalArgumentException("DispatchRule " + name + ": set exactly one of individual, direct or callee");
        }
        return CompiledRule.compile(name, uidOf(rule), rule.getSpec());
    }

    private static String uidOf(HasMetadata resource) {
        String uid = resource.getMetadata().getUid();
        return uid == null ? "" : uid;
    }

    private void addRule(CompiledRule rule) {
        if (rule.forAllTrunks()) {
            rulesForAllTrunks.add(rule);
        }
        for (String trunk : rule.trunks()) {
            rulesByTrunkName.computeIfAbsent(trunk, t -> new RuleIndex()).add(rule);
        }
    }

    private void addTrunk(CompiledTrunk trunk) {
        allTrunks.add(trunk);
        RuleIndex rules = rulesByTrunkName.get(trunk.name());
        if (rules != null) {
            rulesByTrunk.put(trunk, rules);
        }
        Route route = new Route(trunk, rules);
        if (trunk.isDefault()) {
            defaultRoutes = append(defaultRoutes, route);
        }
        for (String number : trunk.numbers()) {
            routesByNumber.merge(number, new Route[] {route}, RoutingTable::concat);
        }
        knownSources.add(trunk);
    }

    private static Route[] append(Route[] routes, Route route) {
        return concat(routes, new Route[] {route});
    }

    private static Route[] concat(Route[] a, Route[] b) {
        Route[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public List<CompiledTrunk> trunks() {
        return List.copyOf(allTrunks);
    }

    /** Trunk selection and dispatch in one step; authentication, which needs the SIP exchange, is left to the caller. */
    public Decision route(CallRequest call) {
        String caller = PhoneNumbers.normalize(call.fromUser());
        String called = PhoneNumbers.normalize(call.toUser());
        RouteMatch match = selectRoute(call, caller, called);
        if (match instanceof RouteMatch.Refused refused) {
            return refused.reject();
        }
        return match instanceof RouteMatch.Found found
                ? dispatch(found.route().trunk(), rulesOrNone(found.route().rules()), call, caller, called)
                : dispatch(CallTrunk.NONE, RuleIndex.EMPTY, call, caller, called);
    }

    /** Picks the trunk a call arrives on: a trunk for the called number beats a default trunk. */
    /**
     * Whether any SipTrunk admits requests from {@code source} (with {@code fromHost} for trunks that list host
     * names), whatever the numbers: what decides if a request outside a call is answered at all.
     */
    public boolean knowsSource(InetAddress source, String fromHost) {
        return acceptWithoutTrunk || knownSources.admits(source, fromHost);
    }

    /**
     * The trunk whose credentials a call from {@code source} must prove before it learns why no trunk takes it, when
     * every trunk that admits the source requires digest authentication: the first of them by name. Without it, a
     * 404 to an unauthenticated INVITE would tell whoever sends from a carrier's address which numbers exist. A
     * source some trunk admits without a password is trusted already, and is told at once.
     */
    public Optional<CompiledTrunk> authGuard(InetAddress source, String fromHost) {
        List<CompiledTrunk> admitting = allTrunks.stream().filter(t -> t.admitsSource(source, fromHost)).toList();
        if (admitting.isEmpty() || !admitting.stream().allMatch(CompiledTrunk::requiresAuth)) {
            return Optional.empty();
        }
        return admitting.stream().min(java.util.Comparator.comparing(CompiledTrunk::name));
    }

    /** Whether a TCP or TLS connection from {@code source} may be taken: its requests could come from a trunk. */
    public boolean mayConnect(InetAddress source) {
        return acceptWithoutTrunk || knownSources.mayConnect(source);
    }

    public TrunkMatch selectTrunk(CallRequest call) {
        RouteMatch match = selectRoute(call, PhoneNumbers.normalize(call.fromUser()),
                PhoneNumbers.normalize(call.toUser()));
        if (match instanceof RouteMatch.Refused refused) {
            return new TrunkMatch.Rejected(refused.reject());
        }
        return new TrunkMatch.Found(match instanceof RouteMatch.Found found ? found.route().trunk() : CallTrunk.NONE);
    }

    /** The call's trunk: a trunk for the called number, else a default trunk, else none or a refusal. */
    private RouteMatch selectRoute(CallRequest call, String caller, String called) {
        Route[] specific = routesByNumber.getOrDefault(called, NO_ROUTES);
        RouteMatch found = firstAdmitting(specific, call, caller);
        if (found instanceof RouteMatch.NoneAdmits) {
            found = firstAdmitting(defaultRoutes, call, caller);
        }
        if (!(found instanceof RouteMatch.NoneAdmits)) {
            return found;
        }
        if (acceptWithoutTrunk) {
            return new RouteMatch.WithoutTrunk();
        }
        return new RouteMatch.Refused(explainNoTrunk(call, caller, Arrays.stream(specific).map(Route::trunk).toList()));
    }

    /** The one route whose trunk admits the call, or a conflict when several do. */
    private RouteMatch firstAdmitting(Route[] routes, CallRequest call, String caller) {
        Route found = null;
        for (Route route : routes) {
            if (route.trunk().admitsSource(call.source(), call.fromHost()) && route.trunk().admitsCaller(caller)) {
                if (found != null) {
                    return new RouteMatch.Refused(conflict(call, found.trunk(), route.trunk()));
                }
                found = route;
            }
        }
        return found == null ? new RouteMatch.NoneAdmits() : new RouteMatch.Found(found);
    }

    private static Decision.Reject conflict(CallRequest call, CompiledTrunk first, CompiledTrunk second) {
        return new Decision.Reject(Reason.TRUNK_CONFLICT, first, null,
                "SipTrunks " + first.name() + " and " + second.name() + " both accept the call from " + call.fromUser()
                        + " to " + call.toUser() + "; give them distinct numbers, allowedAddresses or allowedNumbers");
    }

    private Decision.Reject explainNoTrunk(CallRequest call, String caller, List<CompiledTrunk> specific) {
        String source = describeSource(call);
        List<CompiledTrunk> candidates = new ArrayList<>(specific);
        Arrays.stream(defaultRoutes).map(Route::trunk).forEach(candidates::add);
        List<CompiledTrunk> sourceOk = candidates.stream()
                .filter(t -> t.admitsSource(call.source(), call.fromHost())).toList();
        if (!sourceOk.isEmpty()) {
            return new Decision.Reject(Reason.CALLER_NOT_ALLOWED, sourceOk.get(0), null,
                    "caller " + call.fromUser() + " (" + caller + ") is not in allowedNumbers of SipTrunk "
                            + names(sourceOk) + "; add it there to accept the call to " + call.toUser());
        }
        if (!knownSources.admits(call.source(), call.fromHost())) {
            return new Decision.Reject(Reason.UNKNOWN_SOURCE, CallTrunk.NONE, null,
                    source + " matches no SipTrunk's allowedAddresses; add it to spec.allowedAddresses of the "
                            + "carrier's SipTrunk (call from " + call.fromUser() + " to " + call.toUser() + ")");
        }
        String hint = specific.isEmpty()
                ? "add " + call.toUser() + " to spec.numbers of a SipTrunk, or create a default SipTrunk with no numbers"
                : "SipTrunk " + names(specific) + " lists " + call.toUser() + " but does not allow " + source;
        return new Decision.Reject(Reason.NO_TRUNK_FOR_NUMBER, CallTrunk.NONE, null,
                "no SipTrunk accepts the call from " + call.fromUser() + " to " + call.toUser() + " from " + source
                        + "; " + hint);
    }

    /**
     * Picks the rule for a call on {@code trunk}: rules that name the trunk beat rules for every trunk; among those,
     * LiveKit's priority decides.
     */
    public Decision dispatch(CallTrunk trunk, CallRequest call) {
        return dispatch(trunk, rulesFor(trunk), call, PhoneNumbers.normalize(call.fromUser()),
                PhoneNumbers.normalize(call.toUser()));
    }

    /**
     * The rules naming {@code trunk}; a trunk compiled by an earlier revision (a caller who started entering a PIN
     * before a configuration change) is found by name, so the current rules decide.
     */
    private RuleIndex rulesFor(CallTrunk trunk) {
        if (!(trunk instanceof CompiledTrunk compiled)) {
            return RuleIndex.EMPTY;
        }
        RuleIndex rules = rulesByTrunk.get(compiled);
        return rules != null ? rules : rulesOrNone(rulesByTrunkName.get(compiled.name()));
    }

    private static RuleIndex rulesOrNone(RuleIndex rules) {
        return rules != null ? rules : RuleIndex.EMPTY;
    }

    private Decision dispatch(CallTrunk trunk, RuleIndex trunkRules, CallRequest call, String caller, String called) {
        CompiledRule best = bestRule(trunkRules, caller, called, call.pin());
        if (best == null) {
            return noRule(trunk, trunkRules, call, caller, called);
        }
        if (best.pin() != null && call.pin() instanceof PinEntry.NotAsked) {
            return new Decision.PinRequired(trunk, best);
        }
        String room = RoomNames.roomFor(best.kind(), call.fromUser(), call.toUser(), roomSuffixes);
        return new Decision.Accept(trunk, best, room, Participants.forCall(trunk, best, call), best.spec().room());
    }

    /** Rules naming the trunk first; only when none takes the call, rules for every trunk. */
    private CompiledRule bestRule(RuleIndex trunkRules, String caller, String called, PinEntry pin) {
        CompiledRule best = trunkRules.best(caller, called, pin);
        return best != null ? best : rulesForAllTrunks.best(caller, called, pin);
    }

    private Decision.Reject noRule(CallTrunk trunk, RuleIndex trunkRules, CallRequest call, String caller,
                                   String called) {
        if (call.pin() instanceof PinEntry.Entered) {
            CompiledRule protectedRule = bestRule(trunkRules, caller, called, PinEntry.NOT_ASKED);
            if (protectedRule != null) {
                return new Decision.Reject(Reason.PIN_INCORRECT, trunk, protectedRule,
                        "the PIN entered for the call from " + call.fromUser() + " to " + call.toUser()
                                + " does not match DispatchRule " + protectedRule.name());
            }
        }
        return new Decision.Reject(Reason.NO_RULE, trunk, null,
                "no DispatchRule takes the call from " + call.fromUser() + " to " + call.toUser() + " on "
                        + trunk.describe() + "; create a DispatchRule with trunkRefs [" + trunk.name()
                        + "] (or none) whose numbers and inboundNumbers include these numbers");
    }

    private static String describeSource(CallRequest call) {
        String address = call.source() == null ? "unknown address" : call.source().getHostAddress();
        return "source " + address + (call.fromHost().isEmpty() ? "" : " (From host " + call.fromHost() + ")");
    }

    private static String names(List<CompiledTrunk> trunks) {
        return trunks.stream().map(CompiledTrunk::name).distinct().collect(Collectors.joining(", "));
    }

    /** The outcome of trunk selection: a trunk ({@link CallTrunk#NONE} when admitted by acceptWithoutTrunk) or a rejection. */
    public sealed interface TrunkMatch {
        record Found(CallTrunk trunk) implements TrunkMatch {
        }

        record Rejected(Decision.Reject reject) implements TrunkMatch {
        }
    }
}
