package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.PIN_SOURCE_RULE, message = SpecRules.PIN_SOURCE_MESSAGE)
@ValidationRule(value = "!has(self.pin) || self.pin.matches('" + SpecRules.PIN + "')", message = SpecRules.PIN_MESSAGE, fieldPath = ".pin")
public record DirectRule(
        @Required
        @Size(min = 1, max = 128)
        @JsonPropertyDescription("The room every caller joins.")
        String roomName,

        @Size(max = 16)
        @JsonPropertyDescription("Digits the caller must enter (ending with #) before joining.")
        String pin,

        @JsonPropertyDescription("Take the PIN from a Secret instead. The operator reads only Secrets labelled "
                + SpecRules.SECRET_LABEL + ".")
        SecretKeyRef pinSecretRef) implements RuleKind {

    @Override
    public String roomKey() {
        return roomName;
    }

    @Override
    public String toString() {
        return "DirectRule[roomName=" + roomName + ", pin=" + (pin == null ? "none" : "set") + "]";
    }
}
