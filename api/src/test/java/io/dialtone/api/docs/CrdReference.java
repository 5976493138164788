package io.dialtone.api.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * docs/reference.md, written from the CRDs users apply: every field of the three kinds with its type, default,
 * description and the validation messages the API server answers with. Generated, so it cannot drift from the
 * schema; ReferenceDocTest fails when the committed file is stale.
 */
final class CrdReference {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> ORDER = List.of("sipgateways", "siptrunks", "dispatchrules");
    private static final Map<String, String> INTRO = Map.of(
            "sipgateways", "A fleet of gateway pods in front of one LiveKit deployment. The operator turns it into a "
                    + "Deployment, a Service, RBAC, a PodDisruptionBudget, an optional HorizontalPodAutoscaler and the "
                    + "routing Secret its pods load ([operator.md](operator.md)).",
            "siptrunks", "Who may call in: the numbers it serves, the sources and callers it admits, how they "
                    + "authenticate. How a trunk is chosen for a call: [routing.md](routing.md).",
            "dispatchrules", "Where an accepted call goes: the room, the participant the caller becomes, the room's "
                    + "settings and agents. How a rule is chosen: [routing.md](routing.md).");

    private CrdReference() {
    }

    static String generate(Path crds) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("# Resource reference\n\n")
                .append("Generated from `crds/` by `scripts/update-crds.sh`; do not edit by hand. API group `dialtone.io`, ")
                .append("version `v1alpha1`. `kubectl explain <kind>.spec` shows the same descriptions. A rule below is ")
                .append("checked by the API server on `kubectl apply`; its message is what `kubectl` prints.\n\n");
        for (String plural : ORDER) {
            JsonNode crd = YAML.readTree(crds.resolve(plural + ".dialtone.io-v1.yml").toFile());
            String kind = crd.at("/spec/names/kind").asText();
            out.append("- [").append(kind).append("](#").append(kind.toLowerCase()).append(")\n");
        }
        for (String plural : ORDER) {
            out.append('\n').append(section(YAML.readTree(crds.resolve(plural + ".dialtone.io-v1.yml").toFile()), plural));
        }
        return out.toString();
    }

    private static String section(JsonNode crd, String plural) {
        JsonNode names = crd.at("/spec/names");
        JsonNode version = crd.at("/spec/versions/0");
        JsonNode schema = version.at("/schema/openAPIV3Schema/properties");
        StringBuilder out = new StringBuilder("## ").append(names.path("kind").asText()).append("\n\n");
        out.append(INTRO.get(plural)).append("\n\n");
        List<String> shortNames = new ArrayList<>();
        names.path("shortNames").forEach(n -> shortNames.add("`" + n.asText() + "`"));
        out.append("Namespaced; `kubectl get ").append(plural).append("` (short name ").append(String.join(", ", shortNames))
                .append(", category `sip`) shows ");
        List<String> columns = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
        out.append(String.join(", ", columns)).append(".");
        if (version.at("/subresources/scale").isObject()) {
            out.append(" Scale subresource on `spec.replicas` (`kubectl scale`).");
        }
        out.append("\n\n### spec\n\n");
        table(out, schema.path("spec"));
        out.append("\n### status\n\nWritten by the operator only.\n\n");
        table(out, schema.path("status"));
        return out.toString();
    }

    private static void table(StringBuilder out, JsonNode object) {
        List<String> rules = new ArrayList<>();
        object.path("x-kubernetes-validations").forEach(v -> rules.add(v.path("message").asText()));
        if (!rules.isEmpty()) {
            out.append("Rules on the whole object: ").append(String.join("; ", rules)).append(".\n\n");
        }
        out.append("| Field | Type | Default | Description |\n|---|---|---|---|\n");
        rows(out, "", object);
    }

    private static void rows(StringBuilder out, String prefix, JsonNode object) {
        List<String> required = new ArrayList<>();
        object.path("required").forEach(r -> required.add(r.asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = object.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix + field.getKey();
            JsonNode node = field.getValue();
            String description = node.path("description").asText("");
            if (required.contains(field.getKey())) {
                description = "**Required.** " + description;
            }
            List<String> rules = new ArrayList<>();
            node.path("x-kubernetes-validations").forEach(v -> rules.add(v.path("message").asText()));
            if (node.path("type").asText().equals("array")) {
                node.path("items").path("x-kubernetes-validations").forEach(v -> rules.add(v.path("message").asText()));
            }
            if (!rules.isEmpty()) {
                description += (description.isEmpty() ? "" : " ") + "Rules: " + String.join("; ", rules) + ".";
            }
            out.append("| `").append(path).append("` | ").append(type(node)).append(" | ")
                    .append(node.has("default") ? "`" + compact(node.path("default")) + "`" : "").append(" | ")
                    .append(cell(description)).append(" |\n");
            JsonNode items = node.path("items");
            if (node.path("properties").isObject() && !isKubernetesType(path)) {
                rows(out, path + ".", node);
            } else if (items.path("properties").isObject() && !isKubernetesType(path)) {
                rows(out, path + "[].", items);
            }
        }
    }

    /** Core Kubernetes types (resources, affinity, tolerations) are documented by Kubernetes; listing them adds pages. */
    private static boolean isKubernetesType(String path) {
        return path.equals("resources") || path.equals("podTemplate.affinity") || path.equals("podTemplate.tolerations")
                || path.equals("conditions");
    }

    private static String type(JsonNode node) {
        String type = node.path("type").asText(node.has("x-kubernetes-int-or-string") ? "integer or string" : "object");
        if (type.equals("array")) {
            type = node.path("items").path("type").asText("object") + "[]";
        } else if (type.equals("object") && node.path("additionalProperties").isObject()) {
            type = "map of " + node.path("additionalProperties").path("type").asText("object");
        }
        if (node.has("enum") || node.path("items").has("enum")) {
            List<String> values = new ArrayList<>();
            (node.has("enum") ? node.path("enum") : node.path("items").path("enum")).forEach(v -> values.add(v.asText()));
            type += ": " + String.join(", ", values);
        }
        if (node.has("minimum") || node.has("maximum")) {
            type += " (" + (node.has("minimum") ? number(node.path("minimum")) : "") + "–"
                    + (node.has("maximum") ? number(node.path("maximum")) : "") + ")";
        }
        return type;
    }

    private static String number(JsonNode value) {
        double number = value.asDouble();
        return number == Math.rint(number) ? String.valueOf((long) number) : value.asText();
    }

    private static String compact(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
