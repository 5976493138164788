package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodOverrides(
        @JsonPropertyDescription("Labels added to the gateway pods.")
        Map<String, String> labels,

        @JsonPropertyDescription("Annotations added to the gateway pods.")
        Map<String, String> annotations,

        @JsonPropertyDescription("Node selector of the gateway pods.")
        Map<String, String> nodeSelector,

        @JsonPropertyDescription("Tolerations of the gateway pods.")
        List<Toleration> tolerations,

        @JsonPropertyDescription("Affinity of the gateway pods.")
        Affinity affinity,

        @JsonPropertyDescription("Priority class of the gateway pods.")
        String priorityClassName) {
}
