package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ParticipantTemplate(
        @Size(max = 128)
        @JsonPropertyDescription("Participant name. {caller} and {called} are replaced by the numbers. Defaults to Phone {caller}.")
        String name,

        @Size(max = 128)
        @JsonPropertyDescription("Participant identity. {caller} and {called} are replaced by the numbers. Defaults to sip_{caller}.")
        String identity,

        @JsonPropertyDescription("Participant metadata.")
        String metadata,

        @JsonPropertyDescription("Participant attributes, added to the sip.* attributes.")
        Map<String, String> attributes) {

    public static final ParticipantTemplate EMPTY = new ParticipantTemplate(null, null, null, null);

    public ParticipantTemplate {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
