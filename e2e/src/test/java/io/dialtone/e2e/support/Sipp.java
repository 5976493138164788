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
     * One call over IPv4 loopback.
     *
     * @param service the called number (To user)
     * @param caller  the caller number (From user)
     */
    public static Processes.Result call(Path scenario, int gatewayPort, String service, String caller, int timeoutSeconds,
                                        String... extra) throws IOException, InterruptedException {
        return callOn("127.0.0.1", scenario, gatewayPort, service, caller, timeoutSeconds, extra);
    }

    /** One call from and to {@code loopback}, 127.0.0.1 or ::1, where the gateway listens on {@code gatewayPort}. */
    public static Processes.Result callOn(String loopback, Path scenario, int gatewayPort, String service, String caller,
                                          int timeoutSeconds, String... extra) throws IOException, InterruptedException {
        String target = (loopback.contains(":") ? "[" + loopback + "]" : loopback) + ":" + gatewayPort;
        Path errors = errorFile(scenario, extra);
        for (int attempt = 1; ; attempt++) {
            Files.deleteIfExists(errors);
            List<String> command = command(scenario, target, loopback, Ports.free(), service, caller, "-mp",
                    String.valueOf(Ports.free()), "-m", "1", "-timeout", timeoutSeconds + "s", "-timeout_error",
                    "-trace_msg");
            command.addAll(List.of(extra));
            Processes.Result result = Processes.run(command, scenario.getParent(), timeoutSeconds + 15L);
            // A free port can be taken by another process (an ephemeral socket of the gateway's, say) before sipp
            // binds it. sipp then stops before its first message, so running the call again with new ports is safe.
            if (result.exitCode() == 0 || attempt == BIND_ATTEMPTS || !portTaken(errors)) {
                return result;
            }
            System.out.println("sipp " + scenario.getFileName() + ": a port it was given was taken before it bound it ("
                    + Files.readString(errors).strip().lines().reduce((first, last) -> last).orElse("")
                    + "); again with new ports");
        }
    }

    private static final int BIND_ATTEMPTS = 3;

    /** Where sipp traces its errors for a run with {@code extra}: the file {@code extra} names, or the default. */
    private static Path errorFile(Path scenario, String... extra) {
        List<String> options = List.of(extra);
        int named = options.indexOf("-error_file");
        // sipp runs in the scenario's directory, where a relative path names its file.
        return named >= 0 && named + 1 < options.size() ? scenario.resolveSibling(options.get(named + 1))
                : scenario.resolveSibling(scenario.getFileName() + ".errors");
    }

    /** Whether sipp stopped because a socket of its could not bind: errno 98, EADDRINUSE. */
    private static boolean portTaken(Path errors) throws IOException {
        return Files.exists(errors) && Files.readString(errors).contains("Address already in use");
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
            command.addAll(List.of("-error_file", errorFile(scenario).toString()));
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

    /** What sipp's -trace_stat file says at the end of a run: calls created, succeeded, failed, and the rate it kept. */
    public record Statistics(int created, int successful, int failed, double callRate) {
        public int attempted() {
            return successful + failed;
        }
    }

    /** The last line of the -trace_stat file sipp wrote in {@code dir} ({@code <scenario>_<pid>_.csv}). */
    public static Statistics statistics(Path dir) throws IOException {
        List<String> lines = traces(dir, "_.csv");
        if (lines.size() < 2) {
            throw new IllegalStateException("sipp wrote no statistics in " + dir);
        }
        List<String> header = List.of(lines.get(0).split(";"));
        String[] last = lines.get(lines.size() - 1).split(";");
        java.util.function.Function<String, String> column = name -> last[header.indexOf(name)];
        return new Statistics(Integer.parseInt(column.apply("TotalCallCreated")),
                Integer.parseInt(column.apply("SuccessfulCall(C)")), Integer.parseInt(column.apply("FailedCall(C)")),
                Double.parseDouble(column.apply("CallRate(C)")));
    }

    /** The response times sipp traced in {@code dir} with -trace_rtt (INVITE to 200 in the uac scenario), sorted, ms. */
    public static List<Long> responseTimes(Path dir) throws IOException {
        List<String> lines = traces(dir, "_rtt.csv");
        if (lines.isEmpty()) {
            return List.of();
        }
        int column = List.of(lines.get(0).split(";")).indexOf("response_time_ms");
        return lines.stream().skip(1).map(line -> line.split(";")).filter(fields -> fields.length > column)
                .map(fields -> Math.round(Double.parseDouble(fields[column]))).sorted().toList();
    }

    /** The lines of sipp's trace files in {@code dir} ending in {@code suffix}, one header first. */
    private static List<String> traces(Path dir, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            List<String> lines = new ArrayList<>();
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList()) {
                List<String> content = Files.readAllLines(file);
                lines.addAll(lines.isEmpty() ? content : content.subList(Math.min(1, content.size()), content.size()));
            }
            return lines;
        }
    }
}
