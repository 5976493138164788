package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(value = "!has(self.emptyTimeout) || self.emptyTimeout.matches('" + SpecRules.DURATION + "')", message = SpecRules.DURATION_MESSAGE, fieldPath = ".emptyTimeout")
public record RoomTemplate(
        @JsonPropertyDescription("Room metadata.")
        String metadata,

        @Size(max = 32)
        @JsonPropertyDescription("How long the room stays open once empty, e.g. 5m.")
        String emptyTimeout,

        @Min(0)
        @JsonPropertyDescription("Most participants the room admits. 0 or unset: no limit.")
        Integer maxParticipants,

        @Size(max = 16)
        @JsonPropertyDescription("Agents dispatched into the room when the caller joins.")
        List<AgentDispatch> agents) {

    public static final RoomTemplate EMPTY = new RoomTemplate(null, null, null, null);

    public RoomTemplate {
        agents = agents == null ? List.of() : List.copyOf(agents);
    }
}
