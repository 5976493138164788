package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.timeout) || self.timeout.matches('" + SpecRules.DURATION + "')", message = SpecRules.DURATION_MESSAGE, fieldPath = ".timeout")
public record TrunkMedia(
        @Size(min = 1, max = 3)
        @JsonPropertyDescription("Codecs accepted from this trunk. Unset: the gateway's codecs.")
        List<Codec> codecs,

        @Default("disable")
        @JsonPropertyDescription("SRTP: disable, allow (if the caller offers it) or require.")
        MediaEncryption encryption,

        @Size(max = 32)
        @JsonPropertyDescription("Hang up a call when neither RTP nor RTCP arrived from the caller for this long (a dead "
                + "carrier leg). Unset: the gateway's --media-timeout, 30s by default.")
        String timeout) {

    public TrunkMedia {
        codecs = codecs == null ? null : List.copyOf(codecs);
        encryption = encryption == null ? MediaEncryption.disable : encryption;
    }
}
