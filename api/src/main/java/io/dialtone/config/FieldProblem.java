package io.dialtone.config;

/** A problem with one field of a document, before it is placed in a file. */
public record FieldProblem(String path, String message) {
}
