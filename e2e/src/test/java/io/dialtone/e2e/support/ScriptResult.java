package io.dialtone.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;

/** What a test script (listen.py, rtp_listen.py, latency.py, ...) printed as its result: its first JSON line. */
public final class ScriptResult {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScriptResult() {
    }

    /** @param script who wrote {@code output}, for the failure message when it printed no result */
    public static JsonNode of(Path output, String script) throws java.io.IOException {
        String text = BridgedGateway.read(output);
        String result = text.lines().filter(line -> line.startsWith("{")).findFirst().orElse(null);
        if (result == null) {
            ClientCrashed.check(script, null, text);
            throw new AssertionError(script + " printed no result:\n" + text);
        }
        return JSON.readTree(result);
    }
}
