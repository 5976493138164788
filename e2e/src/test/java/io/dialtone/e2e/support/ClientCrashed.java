package io.dialtone.e2e.support;

import java.util.List;

/**
 * The Python LiveKit client (the test's room participant or ear) died in its native layer: a Rust panic, an abort or
 * a segmentation fault in its libwebrtc. That is the test harness failing, not the gateway, so the media tests re-run
 * once on it ({@code @RetryingTest(onExceptions = ClientCrashed.class)}) and on nothing else.
 */
public final class ClientCrashed extends RuntimeException {
    /** Exit codes of a native crash: Rust's panic exit, SIGABRT and SIGSEGV as a shell reports them. */
    private static final List<Integer> CRASH_EXITS = List.of(101, 134, 139);
    private static final List<String> CRASH_SIGNS = List.of("panicked at", "fatal runtime error", "Segmentation fault",
            "core dumped", "SIGSEGV", "SIGABRT");

    private ClientCrashed(String message) {
        super(message);
    }

    /** Throws when {@code output} (and {@code exitCode}, when known) of {@code script} show a native crash. */
    public static void check(String script, Integer exitCode, String output) {
        String sign = CRASH_SIGNS.stream().filter(output::contains).findFirst().orElse(null);
        if (sign != null || (exitCode != null && CRASH_EXITS.contains(exitCode))) {
            // The line that names the crash and the two after it, which say what panicked.
            List<String> lines = output.lines().toList();
            int at = sign == null ? -1 : java.util.stream.IntStream.range(0, lines.size())
                    .filter(i -> lines.get(i).contains(sign)).findFirst().orElse(-1);
            String where = at < 0 ? "" : String.join(" | ", lines.subList(at, Math.min(lines.size(), at + 3)));
            throw new ClientCrashed(script + " crashed in the LiveKit client's native layer ("
                    + (sign != null ? "\"" + sign + "\"" : "exit " + exitCode) + "), not a gateway failure: " + where);
        }
    }
}
