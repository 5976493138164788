package io.dialtone.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Runs an Argo CD health script (examples/argocd/health/*.lua) the way Argo CD does: the resource as the global
 * table {@code obj}, the script's returned table read back. The interpreter is Debian's Lua 5.4; the scripts keep
 * to what Lua 5.1 (Argo CD's gopher-lua) also understands.
 */
public final class ArgoHealth {
    private ArgoHealth() {
    }

    public record Health(String status, String message) {
    }

    /** The one script argocd-cm-health.yaml configures for all three kinds. */
    public static final Path SCRIPT = Toolchain.root().resolve("examples/argocd/health/dialtone.lua");

    public static Health evaluate(JsonNode resource, Path workDir) throws IOException, InterruptedException {
        Path script = SCRIPT;
        Files.createDirectories(workDir);
        Path harness = Files.createTempFile(workDir, "health-", ".lua");
        Files.writeString(harness, "obj = " + luaValue(resource) + "\n"
                + "local hs = dofile(" + luaString(script.toString()) + ")\n"
                + "io.write(hs.status, \"\\n\", hs.message or \"\")\n");
        Processes.Result result = Processes.run(List.of(Toolchain.lua().toString(), harness.toString()), workDir, 30);
        if (result.exitCode() != 0) {
            throw new AssertionError(script.getFileName() + " failed on " + resource.at("/metadata/name").asText()
                    + ":\n" + result.err() + result.out());
        }
        int newline = result.out().indexOf('\n');
        return new Health(result.out().substring(0, newline), result.out().substring(newline + 1));
    }

    /** JSON as a Lua table constructor: objects keyed by string, arrays as sequences, null as nil. */
    static String luaValue(JsonNode node) {
        if (node.isObject()) {
            StringBuilder out = new StringBuilder("{");
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getValue().isNull()) {
                    out.append('[').append(luaString(field.getKey())).append("]=").append(luaValue(field.getValue()))
                            .append(',');
                }
            }
            return out.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("{");
            node.forEach(element -> out.append(luaValue(element)).append(','));
            return out.append('}').toString();
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.asText();
        }
        return node.isNull() ? "nil" : luaString(node.asText());
    }

    private static String luaString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
