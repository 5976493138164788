package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record SipTrunkStatus(
        @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration,

        @JsonPropertyDescription("Calls from this trunk in progress.")
        Long activeCalls,

        @JsonPropertyDescription("Calls from this trunk accepted since it was created.")
        Long totalCalls,

        @JsonPropertyDescription("Calls from this trunk rejected since it was created.")
        Long rejectedCalls,

        @JsonPropertyDescription("Rejected calls by reason (metric label), e.g. no_rule, auth_failed.")
        Map<String, Long> rejections,

        @JsonPropertyDescription("When the last call arrived (RFC 3339).")
        String lastCallTime,

        @JsonPropertyDescription("Ready, Propagated and Conflict, each with a message that says what is wrong.")
        List<Condition> conditions) implements RoutedStatus {
}
