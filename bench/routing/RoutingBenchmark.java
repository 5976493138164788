import io.dialtone.api.v1alpha1.DirectRule;
import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.DispatchRuleSpec;
import io.dialtone.api.v1alpha1.IndividualRule;
import io.dialtone.api.v1alpha1.CalleeRule;
import io.dialtone.api.v1alpha1.LiveKitConnection;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.api.v1alpha1.SipTrunkSpec;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.Decision;
import io.dialtone.routing.Finding;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.RoutingConfig;
import io.dialtone.routing.RoutingTable;
import io.dialtone.routing.RoutingValidator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Routing decisions per second on one thread, for a table of 10,000 trunks and 10,000 rules.
 * Run through bench/routing.sh [seconds] [accept|pin|no-rule|unknown-source], which builds the api module and
 * passes the class path.
 *
 * Each trunk has its own number and /24 of carrier addresses; each has one rule naming it (individual, direct
 * or callee, a third of them with a PIN, some limited to callers), and 100 global rules filter on numbers.
 */
public class RoutingBenchmark {
    static final int TRUNKS = 10_000;
    static final int RULES_PER_TRUNK = 1;
    static final int GLOBAL_RULES = 100;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        RoutingConfig config = config();
        long buildStart = System.nanoTime();
        RoutingTable table = RoutingTable.build(config);
        double buildMs = (System.nanoTime() - buildStart) / 1e6;
        long validateStart = System.nanoTime();
        List<Finding> findings = RoutingValidator.validate(config);
        double validateMs = (System.nanoTime() - validateStart) / 1e6;

        System.out.printf("table: %d trunks, %d rules; build %.0f ms, validate %.0f ms (%d findings)%n",
                config.trunks().size(), config.rules().size(), buildMs, validateMs, findings.size());
        String only = args.length > 1 ? args[1] : "";
        if (only.isEmpty() || only.equals("accept")) {
            report("accepted calls (trunk by number + CIDR, rule by trunk)", table, calls(true, false), seconds);
        }
        if (only.isEmpty() || only.equals("pin")) {
            report("PIN rules after the PIN is entered", table, pinCalls(), seconds);
        }
        if (only.isEmpty() || only.equals("no-rule")) {
            report("rejections: no trunk for the called number", table, calls(false, false), seconds);
        }
        if (only.isEmpty() || only.equals("unknown-source")) {
            report("rejections: unknown source", table, calls(true, true), seconds);
        }
    }

    static void report(String label, RoutingTable table, CallRequest[] calls, double seconds) {
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (CallRequest call : calls) {
            outcomes.merge(table.route(call).getClass().getSimpleName(), 1, Integer::sum);
        }
        // Warm up, then measure in rounds over the pre-built calls.
        run(table, calls, Math.max(3.0, seconds / 2));
        double rate = run(table, calls, seconds);
        System.out.printf("%-58s %,12.0f decisions/s  (%s)%n", label, rate, outcomes);
    }

    static long sink;

    static double run(RoutingTable table, CallRequest[] calls, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long done = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 10_000; i++) {
                Decision decision = table.route(calls[(int) (done++ % calls.length)]);
                // Records hash deeply (whole specs); touch one field so the JIT keeps the work and nothing more.
                sink += decision instanceof Decision.Accept accept ? accept.roomName().length() : 1;
            }
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }

    static String number(int i) {
        return String.format("+1555%07d", i);
    }

    static String subnet(int i) {
        return "10." + (i / 256) + "." + (i % 256) + ".0/24";
    }

    static RoutingConfig config() {
        SipGateway gateway = new SipGateway();
        gateway.setMetadata(new ObjectMetaBuilder().withName("bench").build());
        gateway.setSpec(new SipGatewaySpec(new LiveKitConnection("http://127.0.0.1:7880", null, "k", "s"),
                null, null, null, null, null, null, null, false, null, null, null, null));
        List<SipTrunk> trunks = new ArrayList<>();
        List<DispatchRule> rules = new ArrayList<>();
        for (int i = 0; i < TRUNKS; i++) {
            SipTrunk trunk = new SipTrunk();
            trunk.setMetadata(new ObjectMetaBuilder().withName("trunk-" + i).build());
            trunk.setSpec(new SipTrunkSpec(null, List.of(number(i)), List.of(subnet(i)), List.of(), null, null, null,
                    null, null, null, null, null, null));
            trunks.add(trunk);
            String pin = i % 3 == 0 ? String.valueOf(1000 + i % 9000) : null;
            IndividualRule individual = i % 3 == 0 ? new IndividualRule("room-" + i, pin, null, false) : null;
            DirectRule direct = i % 3 == 1 ? new DirectRule("room-" + i, null, null) : null;
            CalleeRule callee = i % 3 == 2 ? new CalleeRule("line-" + i, null, null, false) : null;
            List<String> inbound = i % 10 == 0 ? List.of("+15550100", "+15550101") : List.of();
            rules.add(rule("rule-" + i, new DispatchRuleSpec(null, individual, direct, callee,
                    List.of("trunk-" + i), inbound, List.of(), false, null, null)));
        }
        for (int g = 0; g < GLOBAL_RULES; g++) {
            rules.add(rule("global-" + g, new DispatchRuleSpec(null, null, new DirectRule("global-" + g, null, null), null,
                    List.of(), List.of(), List.of("+1666" + String.format("%07d", g)), false, null, null)));
        }
        return new RoutingConfig(gateway, trunks, rules);
    }

    static DispatchRule rule(String name, DispatchRuleSpec spec) {
        DispatchRule rule = new DispatchRule();
        rule.setMetadata(new ObjectMetaBuilder().withName(name).build());
        rule.setSpec(spec);
        return rule;
    }

    /** Calls to trunk numbers from inside the trunk's subnet; unknownSource moves them to 192.0.2.x. */
    static CallRequest[] calls(boolean knownNumber, boolean unknownSource) throws Exception {
        Random random = new Random(42);
        CallRequest[] calls = new CallRequest[100_000];
        for (int n = 0; n < calls.length; n++) {
            int i = random.nextInt(TRUNKS);
            if (i % 3 == 0) {
                i++;
            }
            i %= TRUNKS;
            String source = unknownSource ? "192.0.2." + (1 + random.nextInt(250))
                    : "10." + (i / 256) + "." + (i % 256) + "." + (1 + random.nextInt(250));
            String to = knownNumber ? number(i) : "+1777" + String.format("%07d", i);
            calls[n] = new CallRequest(InetAddress.getByName(source), "udp", "+15550100",
                    "carrier.example", to, "SCL_" + n, n + "@bench", Map.of(), PinEntry.NOT_ASKED);
        }
        return calls;
    }

    static CallRequest[] pinCalls() throws Exception {
        Random random = new Random(7);
        CallRequest[] calls = new CallRequest[100_000];
        for (int n = 0; n < calls.length; n++) {
            int i = 3 * random.nextInt(TRUNKS / 3);
            calls[n] = new CallRequest(InetAddress.getByName("10." + (i / 256) + "." + (i % 256) + ".9"), "udp",
                    "+15550100", "carrier.example", number(i), "SCL_" + n, n + "@bench", Map.of(),
                    PinEntry.entered(String.valueOf(1000 + i % 9000)));
        }
        return calls;
    }
}
