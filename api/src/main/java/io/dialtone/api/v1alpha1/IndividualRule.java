package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.PIN_SOURCE_RULE, message = SpecRules.PIN_SOURCE_MESSAGE)
@ValidationRule(value = "!has(self.pin) || self.pin.matches('" + SpecRules.PIN + "')", message = SpecRules.PIN_MESSAGE, fieldPath = ".pin")
public record IndividualRule(
        @Size(max = 64)
        @JsonPropertyDescription("Start of every room name, e.g. sip-call-.")
        String roomPrefix,

        @Size(max = 16)
        @JsonPropertyDescription("Digits the caller must enter (ending with #) before joining.")
        String pin,

        @JsonPropertyDescription("Take the PIN from a Secret instead. The operator reads only Secrets labelled "
                + SpecRules.SECRET_LABEL + ".")
        SecretKeyRef pinSecretRef,

        @JsonPropertyDescription("Leave the random suffix off the room name, so a caller always gets the same room.")
        Boolean noRandomness) implements RuleKind {

    public IndividualRule {
        roomPrefix = roomPrefix == null ? "" : roomPrefix;
        noRandomness = Boolean.TRUE.equals(noRandomness);
    }

    @Override
    public String roomKey() {
        return roomPrefix;
    }

    @Override
    public String toString() {
        return "IndividualRule[roomPrefix=" + roomPrefix + ", pin=" + (pin == null ? "none" : "set")
                + ", noRandomness=" + noRandomness + "]";
    }
}
