package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.AUTH_RULE, message = SpecRules.AUTH_MESSAGE)
public record TrunkAuth(
        @JsonPropertyDescription("Secret with keys username and password, and optionally realm. The operator reads "
                + "only Secrets labelled " + SpecRules.SECRET_LABEL + ".")
        SecretRef secretRef,

        @JsonPropertyDescription("User name, inline. For standalone configs, usually as ${TRUNK_USERNAME}.")
        String username,

        @JsonPropertyDescription("Password, inline. For standalone configs, usually as ${TRUNK_PASSWORD}.")
        String password,

        @JsonPropertyDescription("Digest realm. Defaults to the gateway's host name.")
        String realm) {

    /** Passwords never reach logs or error messages through toString. */
    @Override
    public String toString() {
        return "TrunkAuth[secretRef=" + secretRef + ", username=" + username + ", realm=" + realm + "]";
    }
}
