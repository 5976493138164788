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
        Path dir = scenario.getParent();
        Path injection = dir.resolve(scenario.getFileName() + ".csv");
        Files.writeString(injection, "SEQUENTIAL\n" + caller + ";\n");
        List<String> command = new ArrayList<>(List.of("sipp", "127.0.0.1:" + gatewayPort, "-sf", scenario.toString(),
                "-inf", injection.toString(), "-s", service, "-i", "127.0.0.1", "-p", String.valueOf(Ports.free()),
                "-mp", String.valueOf(Ports.free()), "-m", "1", "-timeout", timeoutSeconds + "s", "-timeout_error",
                "-nostdin", "-trace_err", "-trace_msg"));
        command.addAll(List.of(extra));
        return Processes.run(command, dir, timeoutSeconds + 15L);
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
