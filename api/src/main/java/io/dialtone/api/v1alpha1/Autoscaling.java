package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.OptionalInt;

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

        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Average CPU utilisation the autoscaler aims for. Defaults to 70 when "
                + "targetActiveCallsPerPod is unset; with it, CPU counts only when set here (the autoscaler scales in "
                + "only when it can read every metric, and CPU needs metrics-server).")
        Integer targetCPUUtilizationPercentage,

        @Min(1)
        @JsonPropertyDescription("Average active calls per pod the autoscaler aims for, read from the Pods metric "
                + "dialtone_gateway_active_calls, which the operator serves as custom.metrics.k8s.io (or an adapter "
                + "such as prometheus-adapter does). Unset: CPU only.")
        Integer targetActiveCallsPerPod,

        @Default("600")
        @Min(0)
        @Max(3600)
        @JsonPropertyDescription("How long the autoscaler waits, seeing fewer calls, before it removes pods; calls are "
                + "long, so a short dip does not start a drain. Defaults to 600.")
        Integer scaleDownStabilizationSeconds) {

    public Autoscaling {
        minReplicas = minReplicas == null ? 1 : minReplicas;
        targetCPUUtilizationPercentage = targetCPUUtilizationPercentage == null && targetActiveCallsPerPod == null
                ? Integer.valueOf(70) : targetCPUUtilizationPercentage;
        scaleDownStabilizationSeconds = scaleDownStabilizationSeconds == null ? 600 : scaleDownStabilizationSeconds;
    }

    /** The CPU target, when the autoscaler scales on CPU. */
    public OptionalInt cpuTarget() {
        return targetCPUUtilizationPercentage == null ? OptionalInt.empty()
                : OptionalInt.of(targetCPUUtilizationPercentage);
    }
}
