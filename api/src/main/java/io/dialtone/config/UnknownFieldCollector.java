package io.dialtone.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Records every unknown field of a document and skips it, so one misspelt key does not hide the other problems of
 * the same document; the document is still refused.
 */
final class UnknownFieldCollector extends DeserializationProblemHandler {
    private final List<FieldProblem> problems = new ArrayList<>();

    @Override
    public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                                         JsonDeserializer<?> deserializer, Object bean, String name) throws IOException {
        List<String> known = new ArrayList<>();
        Collection<Object> ids = deserializer.getKnownPropertyNames();
        if (ids != null) {
            ids.forEach(id -> known.add(String.valueOf(id)));
        }
        known.sort(null);
        problems.add(new FieldProblem(path(parser.getParsingContext().pathAsPointer()),
                "unknown field '" + name + "'" + (known.isEmpty() ? "" : "; expected one of: " + String.join(", ", known))));
        parser.skipChildren();
        return true;
    }

    List<FieldProblem> problems() {
        return problems;
    }

    /** /spec/numbers/0 → spec.numbers[0] */
    private static String path(JsonPointer pointer) {
        StringBuilder out = new StringBuilder();
        for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                out.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(p.getMatchingProperty());
            }
        }
        return out.toString();
    }
}
