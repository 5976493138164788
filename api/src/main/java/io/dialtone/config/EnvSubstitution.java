package io.dialtone.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in string values with environment variables, so secrets
 * stay out of standalone config files. {@code $${} writes a literal {@code ${}. Keys are never substituted.
 */
final class EnvSubstitution {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Function<String, String> environment;

    EnvSubstitution(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * Substitutes in place; reports each variable that is not set and has no default.
     *
     * @param prefix path of {@code node} in the document, e.g. spec
     */
    List<FieldProblem> apply(JsonNode node, String prefix) {
        List<FieldProblem> missing = new ArrayList<>();
        walk(node, prefix, missing);
        return missing;
    }

    private void walk(JsonNode node, String path, List<FieldProblem> missing) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    field.setValue(new TextNode(substitute(field.getValue().textValue(), childPath, missing)));
                } else {
                    walk(field.getValue(), childPath, missing);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String childPath = path + "[" + i + "]";
                if (array.get(i).isTextual()) {
                    array.set(i, new TextNode(substitute(array.get(i).textValue(), childPath, missing)));
                } else {
                    walk(array.get(i), childPath, missing);
                }
            }
        }
    }

    private String substitute(String text, String path, List<FieldProblem> missing) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group(1) == null) {
                replacement = "${";
            } else {
                String value = environment.apply(matcher.group(1));
                if (value == null) {
                    value = matcher.group(3);
                }
                if (value == null) {
                    missing.add(new FieldProblem(path, "environment variable " + matcher.group(1)
                            + " is not set (write ${" + matcher.group(1) + ":-default} to give a default)"));
                    value = "";
                }
                replacement = value;
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
