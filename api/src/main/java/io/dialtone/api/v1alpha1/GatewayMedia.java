package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.externalAddress) || " + SpecRules.EXTERNAL_ADDRESS_RULE, message = SpecRules.EXTERNAL_ADDRESS_MESSAGE, fieldPath = ".externalAddress")
public record GatewayMedia(
        @JsonPropertyDescription("UDP ports for RTP (even) and RTCP (odd). Defaults to 10000-20000.")
        PortRange rtpPortRange,

        @Default("auto")
        @Size(max = 253)
        @JsonPropertyDescription("Address advertised in SDP and Contact: auto (the pod's own address), nodeExternalIP "
                + "(the node's ExternalIP), or a literal IP address or host name.")
        String externalAddress,

        @Size(min = 1, max = 3)
        @JsonPropertyDescription("Codecs offered to the phone side, in order of preference. Defaults to PCMU, PCMA, G722.")
        List<Codec> codecs,

        @JsonPropertyDescription("Carry audio between callers and rooms over WebRTC, PCMU and PCMA (in progress; see "
                + "docs/media.md). Off by default: calls join the room without audio.")
        Boolean bridgeAudio) {

    public static final String AUTO = "auto";

    public GatewayMedia {
        rtpPortRange = rtpPortRange == null ? PortRange.DEFAULT : rtpPortRange;
        externalAddress = externalAddress == null ? AUTO : externalAddress;
        codecs = codecs == null ? List.of(Codec.PCMU, Codec.PCMA, Codec.G722) : List.copyOf(codecs);
    }

    public boolean bridgesAudio() {
        return Boolean.TRUE.equals(bridgeAudio);
    }
}
