package io.dialtone.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dialtone.config.LoadedConfig;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.CompiledRule;
import io.dialtone.routing.CompiledTrunk;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.RoutingTable;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "route", mixinStandardHelpOptions = true,
        description = {"Show what the gateway would do with one call: which trunk and rule take it, the room, the "
                + "participant and its attributes, or why it is rejected and with which SIP status.",
                "Exit code 0 when the call is accepted or asked for a PIN, 3 when it is rejected, 1 on a bad config."})
final class RouteCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--from", required = true, paramLabel = "NUMBER", description = "Caller number (From user).")
    String from;

    @Option(names = "--to", required = true, paramLabel = "NUMBER", description = "Called number (To user).")
    String to;

    @Option(names = "--source", defaultValue = "127.0.0.1", paramLabel = "IP",
            description = "Source address of the INVITE. Default: ${DEFAULT-VALUE}.")
    String source;

    @Option(names = "--from-host", defaultValue = "", paramLabel = "HOST", description = "Host part of the From URI.")
    String fromHost;

    @Option(names = "--transport", defaultValue = "udp", description = "udp, tcp or tls. Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--pin", paramLabel = "DIGITS", description = "The PIN the caller enters.")
    String pin;

    @Option(names = "--no-pin", description = "The caller has no PIN (presses # straight away).")
    boolean noPin;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "A SIP header of the INVITE. Repeatable.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print the decision as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (pin != null && noPin) {
            throw new ParameterException(spec.commandLine(), "--pin and --no-pin exclude each other");
        }
        if (pin != null && !pin.matches("[0-9]{1,16}")) {
            throw new ParameterException(spec.commandLine(), "--pin takes 1 to 16 digits, not '" + pin + "'");
        }
        LoadedConfig loaded = config.load(json ? new PrintWriter(PrintWriter.nullWriter()) : out, spec.commandLine().getErr());
        if (loaded == null) {
            return ExitCodes.FAILURE;
        }
        CallRequest request = new CallRequest(address(), transport, from, fromHost, to, "SCL_cli",
                "cli@dialtone", headers, pin != null ? PinEntry.entered(pin) : noPin ? PinEntry.NONE : PinEntry.NOT_ASKED);
        Decision decision = RoutingTable.build(loaded.config()).route(request);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(decision)));
        } else {
            print(out, request, decision);
        }
        return decision instanceof Decision.Reject ? ExitCodes.REJECTED : ExitCodes.OK;
    }

    private InetAddress address() {
        if (!source.matches("[0-9a-fA-F:.]+")) {
            throw new ParameterException(spec.commandLine(), "--source takes an IP address, not '" + source + "'");
        }
        try {
            return InetAddress.getByName(source);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--source takes an IP address, not '" + source + "'");
        }
    }

    private static void print(PrintWriter out, CallRequest request, Decision decision) {
        out.printf("call    %s -> %s from %s%s over %s%n", request.fromUser(), request.toUser(),
                request.source().getHostAddress(), request.fromHost().isEmpty() ? "" : " (From host " + request.fromHost() + ")",
                request.transport());
        if (decision instanceof Decision.Accept accept) {
            printTrunk(out, accept.trunk());
            printRule(out, accept.rule());
            out.printf("ACCEPT  room %s%n", accept.roomName());
            out.printf("        participant %s \"%s\"%n", accept.participant().identity(), accept.participant().name());
            accept.participant().attributes().forEach((k, v) -> out.printf("        attribute %s = %s%n", k, v));
            accept.room().agents().forEach(a -> out.printf("        agent %s%n", a.agentName()));
        } else if (decision instanceof Decision.PinRequired pinRequired) {
            printTrunk(out, pinRequired.trunk());
            printRule(out, pinRequired.rule());
            out.println("PIN     the call is answered and the caller asked for a PIN; try again with --pin DIGITS or --no-pin");
        } else {
            Decision.Reject reject = (Decision.Reject) decision;
            if (reject.trunk() instanceof CompiledTrunk matched) {
                printTrunk(out, matched);
            }
            out.printf("REJECT  %d %s (%s)%n", reject.reason().sipStatus(), reject.reason().headerText(),
                    reject.reason().metricLabel());
            out.printf("        Reason: SIP;cause=%d;text=\"%s\"%n", reject.reason().sipStatus(), reject.reason().headerText());
            out.printf("        %s%n", reject.detail());
            if (reject.reason() == io.dialtone.routing.Reason.UNKNOWN_SOURCE) {
                out.println("        the gateway drops such INVITEs without a response (scanner defence) and counts them");
            }
        }
    }

    private static void printTrunk(PrintWriter out, CallTrunk call) {
        if (!(call instanceof CompiledTrunk trunk)) {
            out.println("trunk   none (admitted by acceptWithoutTrunk)");
            return;
        }
        out.printf("trunk   %s (%s%s)%n", trunk.name(), trunk.isDefault() ? "default trunk" : "for " + trunk.numbers(),
                trunk.requiresAuth() ? "; the gateway first challenges for digest credentials of user "
                        + trunk.spec().auth().username() : "; no authentication");
    }

    /** The trunk's name in the JSON output; null (absent) without one. */
    private static String trunkName(CallTrunk trunk) {
        return trunk instanceof CompiledTrunk compiled ? compiled.name() : null;
    }

    private static void printRule(PrintWriter out, CompiledRule rule) {
        out.printf("rule    %s (%s, priority %d)%n", rule.name(),
                rule.spec().kind().getClass().getSimpleName().replace("Rule", "").toLowerCase(java.util.Locale.ROOT),
                rule.priority());
    }

    private static Map<String, Object> toJson(Decision decision) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (decision instanceof Decision.Accept accept) {
            json.put("decision", "accept");
            json.put("trunk", trunkName(accept.trunk()));
            json.put("rule", accept.rule().name());
            json.put("room", accept.roomName());
            json.put("participant", accept.participant());
            json.put("roomConfig", accept.room());
        } else if (decision instanceof Decision.PinRequired pinRequired) {
            json.put("decision", "pin_required");
            json.put("trunk", trunkName(pinRequired.trunk()));
            json.put("rule", pinRequired.rule().name());
        } else {
            Decision.Reject reject = (Decision.Reject) decision;
            json.put("decision", "reject");
            json.put("reason", reject.reason().metricLabel());
            json.put("sipStatus", reject.reason().sipStatus());
            json.put("reasonHeader", reject.reason().headerText());
            json.put("trunk", trunkName(reject.trunk()));
            json.put("detail", reject.detail());
        }
        return json;
    }
}
