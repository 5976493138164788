package io.dialtone.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs one sipp call as a UAC on loopback against a gateway, with the caller number from an injection file. */
public final class Sipp {
    private Sipp() {
    }

    /**
     * @param service the called number (To user)
     * @param caller  the caller number (From user)
     */
    public static Processes.Result call(Path scenario, int gatewayPort, String service, String caller, int timeoutSeconds,
                                        String... extra) throws IOException, InterruptedException {
        List<String> command = command(scenario, "127.0.0.1:" + gatewayPort, "127.0.0.1", Ports.free(), service,
                caller, "-mp", String.valueOf(Ports.free()), "-m", "1", "-timeout", timeoutSeconds + "s",
                "-timeout_error", "-trace_msg");
        command.addAll(List.of(extra));
        return Processes.run(command, scenario.getParent(), timeoutSeconds + 15L);
    }

    /**
     * The sipp command line for {@code scenario} against {@code target}, from {@code localAddress}:{@code localPort},
     * with the caller number in an injection file beside the scenario, and the errors sipp traces beside it too
     * (unless {@code extra} names an {@code -error_file}): left to itself sipp writes them into its working
     * directory, the source tree.
     */
    public static List<String> command(Path scenario, String target, String localAddress, int localPort,
                                       String service, String caller, String... extra) throws IOException {
        Path injection = scenario.resolveSibling(scenario.getFileName() + ".csv");
        Files.writeString(injection, "SEQUENTIAL\n" + caller + ";\n");
        List<String> command = new ArrayList<>(List.of("sipp", target, "-sf", scenario.toString(), "-inf",
                injection.toString(), "-s", service, "-i", localAddress, "-p", String.valueOf(localPort), "-nostdin",
                "-trace_err"));
        if (!List.of(extra).contains("-error_file")) {
            command.addAll(List.of("-error_file", scenario.resolveSibling(scenario.getFileName() + ".errors")
                    .toString()));
        }
        command.addAll(List.of(extra));
        return command;
    }

    /** sipp's message log of the last run of {@code scenario}, for failure messages and header checks. */
    public static String messages(Path scenario) throws IOException {
        String prefix = scenario.getFileName().toString().replace(".xml", "") + "_";
        try (var files = Files.list(scenario.getParent())) {
            List<Path> logs = files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.toString().endsWith("_messages.log")).sorted().toList();
            return logs.isEmpty() ? "(no message log)" : Files.readString(logs.get(logs.size() - 1));
        }
    }
}
