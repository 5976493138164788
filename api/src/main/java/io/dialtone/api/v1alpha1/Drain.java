package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@ValidationRule(value = "!has(self.timeout) || self.timeout.matches('" + SpecRules.DURATION + "')", message = SpecRules.DURATION_MESSAGE, fieldPath = ".timeout")
public record Drain(
        @Default("1h")
        @Size(max = 32)
        @JsonPropertyDescription("Longest a leaving pod waits for its calls to end before it hangs them up. Defaults to 1h.")
        String timeout) {

    public Drain {
        timeout = timeout == null ? "1h" : timeout;
    }
}
