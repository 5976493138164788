package io.dialtone.config;

import java.util.Map;

/** Reads Secrets by name: from Secret documents beside a standalone config, or from the API in a cluster. */
@FunctionalInterface
public interface SecretLookup {
    /** The Secret's decoded string data, or null when there is no such Secret. */
    Map<String, String> find(String name);

    /** Why {@link #find} found nothing, for the resource's status. */
    default String whyMissing(String name) {
        return "Secret " + name + " does not exist";
    }
}
