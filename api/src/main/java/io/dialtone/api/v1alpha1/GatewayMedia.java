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

        @Default("true")
        @JsonPropertyDescription("Carry audio between callers and rooms over WebRTC: PCMU, PCMA and G722 callers, DTMF "
                + "both ways, PIN prompts (docs/media.md). On by default; false makes a signalling-only gateway, whose "
                + "callers join their rooms without audio.")
        Boolean bridgeAudio,

        @JsonPropertyDescription("With bridgeAudio: the codec of the caller's track in the room. auto (default): "
                + "PCMU and PCMA callers as they are, without transcoding, where LiveKit takes G.711 (livekit-server "
                + "does by default), else Opus; G.722 callers as Opus. opus: always Opus, as LiveKit's own SIP "
                + "service does.")
        RoomCodec roomCodec) {

    public static final String AUTO = "auto";
    /** The ExternalIP of the node the pod runs on, which the operator looks up for each pod. */
    public static final String NODE_EXTERNAL_IP = "nodeExternalIP";

    public GatewayMedia {
        rtpPortRange = rtpPortRange == null ? PortRange.DEFAULT : rtpPortRange;
        externalAddress = externalAddress == null ? AUTO : externalAddress;
        codecs = codecs == null ? List.of(Codec.PCMU, Codec.PCMA, Codec.G722) : List.copyOf(codecs);
        roomCodec = roomCodec == null ? RoomCodec.auto : roomCodec;
        bridgeAudio = bridgeAudio == null ? Boolean.TRUE : bridgeAudio;
    }

    public boolean bridgesAudio() {
        return bridgeAudio;
    }
}
