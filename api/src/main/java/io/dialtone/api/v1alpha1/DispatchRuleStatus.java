package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record DispatchRuleStatus(
        @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration,

        @JsonPropertyDescription("Calls dispatched by this rule in progress.")
        Long activeCalls,

        @JsonPropertyDescription("Calls dispatched by this rule since it was created.")
        Long totalCalls,

        @JsonPropertyDescription("Calls this rule matched but that ended before the room, e.g. a wrong PIN.")
        Long rejectedCalls,

        @JsonPropertyDescription("Rejected calls by reason (metric label).")
        Map<String, Long> rejections,

        @JsonPropertyDescription("When the last call was dispatched (RFC 3339).")
        String lastCallTime,

        @JsonPropertyDescription("Ready, Propagated, Conflict and Shadowed, each with a message that says what is wrong.")
        List<Condition> conditions) implements RoutedStatus {
}
