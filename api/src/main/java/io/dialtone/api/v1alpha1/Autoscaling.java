package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.AUTOSCALING_RULE, message = SpecRules.AUTOSCALING_MESSAGE)
public record Autoscaling(
        @Default("1")
        @Min(1)
        @JsonPropertyDescription("Fewest gateway pods. Defaults to 1.")
        Integer minReplicas,

        @Required
        @Min(1)
        @JsonPropertyDescription("Most gateway pods.")
        Integer maxReplicas,

        @Default("70")
        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Average CPU utilisation the autoscaler aims for. Defaults to 70.")
        Integer targetCPUUtilizationPercentage,

        @Min(1)
        @JsonPropertyDescription("Average active calls per pod the autoscaler aims for; needs a metrics adapter that serves "
                + "the dialtone_gateway_active_calls Pods metric. Unset: CPU only.")
        Integer targetActiveCallsPerPod) {

    public Autoscaling {
        minReplicas = minReplicas == null ? 1 : minReplicas;
        targetCPUUtilizationPercentage = targetCPUUtilizationPercentage == null ? 70 : targetCPUUtilizationPercentage;
    }
}
