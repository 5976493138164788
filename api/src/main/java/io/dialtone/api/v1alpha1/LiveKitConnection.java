package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.CREDENTIALS_RULE, message = SpecRules.CREDENTIALS_MESSAGE)
@ValidationRule(value = SpecRules.LIVEKIT_URL_RULE, message = SpecRules.LIVEKIT_URL_MESSAGE, fieldPath = ".url")
public record LiveKitConnection(
        @Required
        @JsonPropertyDescription("LiveKit server URL, e.g. wss://livekit.example.com or http://127.0.0.1:7880.")
        String url,

        @JsonPropertyDescription("Secret with keys apiKey and apiSecret. The way to pass credentials in Kubernetes; "
                + "the operator reads only Secrets labelled " + SpecRules.SECRET_LABEL + ".")
        SecretRef credentialsSecret,

        @JsonPropertyDescription("API key, inline. For standalone configs, usually as ${LIVEKIT_API_KEY}.")
        String apiKey,

        @JsonPropertyDescription("API secret, inline. For standalone configs, usually as ${LIVEKIT_API_SECRET}.")
        String apiSecret) {
}
