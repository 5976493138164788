package io.dialtone.config;

/**
 * One thing wrong with a configuration, located as precisely as the source allows.
 *
 * @param source   the file (or Secret) the document came from
 * @param document 1-based position of the document in the source, 0 when the problem is not about one document
 * @param line     1-based line where the document starts, 0 when unknown
 * @param resource kind and name, e.g. "SipTrunk carrier", or null before they are known
 * @param path     the field, e.g. spec.allowedAddresses[1], or null for the whole document
 * @param message  what was expected
 */
public record ConfigProblem(String source, int document, int line, String resource, String path, String message) {

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(source);
        if (document > 0) {
            out.append(": document ").append(document);
            if (line > 0) {
                out.append(" (line ").append(line).append(')');
            }
        }
        if (resource != null) {
            out.append(": ").append(resource);
        }
        if (path != null && !path.isEmpty()) {
            out.append(": ").append(path);
        }
        return out.append(": ").append(message).toString();
    }
}
