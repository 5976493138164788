package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentDispatch(
        @Required
        @Size(min = 1, max = 128)
        @JsonPropertyDescription("Name the agent worker registered with.")
        String agentName,

        @JsonPropertyDescription("Metadata handed to the agent job.")
        String metadata) {
}
