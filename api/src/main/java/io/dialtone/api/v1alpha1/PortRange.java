package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = SpecRules.PORT_RANGE_ORDER_RULE, message = SpecRules.PORT_RANGE_ORDER_MESSAGE)
@ValidationRule(value = SpecRules.PORT_RANGE_EVEN_RULE, message = SpecRules.PORT_RANGE_EVEN_MESSAGE)
public record PortRange(
        @Required
        @Min(1024)
        @Max(65534)
        @JsonPropertyDescription("First port of the range (even).")
        Integer min,

        @Required
        @Min(1025)
        @Max(65535)
        @JsonPropertyDescription("Last port of the range.")
        Integer max) {

    public static final PortRange DEFAULT = new PortRange(10000, 20000);
}
