package io.dialtone.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The routing Secret's format (docs/architecture.md, "Data flow"): the routing documents as gzip-compressed YAML under one key.
 * Compressed because a Secret holds at most 1 MiB and a thousand trunks with their rules come close in plain YAML.
 */
public final class CompiledRouting {
    /** The key of the routing Secret that holds the document. */
    public static final String KEY = "routing.yaml.gz";
    /** Annotation on the routing Secret with the document's revision, for people and for change detection. */
    public static final String REVISION_ANNOTATION = "dialtone.io/revision";

    private CompiledRouting() {
    }

    public static byte[] compress(String yaml) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(yaml.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Loads a compiled document. Its values are final: "${" in them is text, not a variable. */
    public static LoadedConfig load(String source, byte[] compressed) throws ConfigException {
        String yaml;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(java.util.List.of(new ConfigProblem(source, 0, 0, null, null,
                    "is not a gzip-compressed routing document: " + e.getMessage())));
        }
        return RoutingDocuments.parse(source, yaml, null);
    }
}
