package io.dialtone.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The routing documents the gateway tests write, one resource at a time, joined with "---"; and reading them. */
public final class Documents {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Documents() {
    }

    /**
     * @param sip the fields of spec.sip, e.g. "port: 5060", or ""
     */
    public static String gateway(String name, String livekitUrl, int rtpMin, String sip) {
        return """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: %s}
                spec:
                  livekit: {url: "%s", apiKey: devkey, apiSecret: secret}
                  sip: {%s}
                  media: {rtpPortRange: {min: %d, max: %d}}
                """.formatted(name, livekitUrl, sip, rtpMin, rtpMin + 998);
    }

    /** @param spec the trunk's spec as a YAML flow mapping body, e.g. "numbers: ['+15550199']" */
    public static String trunk(String name, String spec) {
        return resource("SipTrunk", name, "{" + spec + "}");
    }

    /** @param spec the rule's spec as an indented YAML block */
    public static String rule(String name, String spec) {
        return resource("DispatchRule", name, "\n" + spec.stripTrailing());
    }

    private static String resource(String kind, String name, String spec) {
        return "apiVersion: dialtone.io/v1alpha1\nkind: " + kind + "\nmetadata: {name: " + name + "}\nspec: " + spec + "\n";
    }

    public static String join(String... documents) {
        return String.join("---\n", documents);
    }

    /** The documents of a multi-document YAML text, empty ones left out. */
    public static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.createParser(yaml)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(document -> {
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            });
        }
        return documents;
    }
}
