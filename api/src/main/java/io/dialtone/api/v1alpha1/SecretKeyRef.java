package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One key of a Secret in the resource's own namespace. */
public record SecretKeyRef(
        @Required
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Name of a Secret in the same namespace.")
        String name,
        @Default("pin")
        @JsonPropertyDescription("Key inside the Secret. Defaults to pin.")
        String key) {

    public SecretKeyRef {
        key = key == null ? "pin" : key;
    }
}
