package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record SipGatewayStatus(
        @JsonPropertyDescription("Generation of the spec this status describes.")
        Long observedGeneration,

        @StatusReplicas
        @JsonPropertyDescription("Gateway pods that exist.")
        Integer replicas,

        @JsonPropertyDescription("Gateway pods that are ready for calls.")
        Integer readyReplicas,

        @LabelSelector
        @JsonPropertyDescription("Label selector of the gateway pods, for the scale subresource.")
        String selector,

        @JsonPropertyDescription("Where carriers send calls: address:port per transport.")
        List<String> endpoints,

        @JsonPropertyDescription("Revision of the compiled routing document the operator last published.")
        String routingRevision,

        @JsonPropertyDescription("Calls in progress on all pods.")
        Long activeCalls,

        @JsonPropertyDescription("Calls accepted since the gateway was created.")
        Long totalCalls,

        @JsonPropertyDescription("Calls rejected since the gateway was created.")
        Long rejectedCalls,

        @JsonPropertyDescription("Rejected calls by reason (metric label), e.g. no_rule, unknown_source.")
        Map<String, Long> rejections,

        @JsonPropertyDescription("Ready, Progressing and Degraded, each with a message that says what is wrong.")
        List<Condition> conditions) implements CallCounts {
}
