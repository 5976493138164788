package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.REPLICAS_RULE, message = SpecRules.REPLICAS_MESSAGE)
public record SipGatewaySpec(
        @Required
        @JsonPropertyDescription("The LiveKit deployment calls are bridged into.")
        LiveKitConnection livekit,

        @JsonPropertyDescription("SIP signalling: port and transports.")
        SipListener sip,

        @JsonPropertyDescription("RTP media towards the phone network: port range, advertised address, codecs.")
        GatewayMedia media,

        @JsonPropertyDescription("Run gateway pods on the node's network so SIP and RTP need no Service or NAT. "
                + "One gateway pod per node.")
        Boolean hostNetwork,

        @SpecReplicas
        @Min(0)
        @JsonPropertyDescription("Number of gateway pods when autoscaling is not set. Defaults to 1.")
        Integer replicas,

        @JsonPropertyDescription("Scale the gateway pods with a HorizontalPodAutoscaler instead of a fixed replica count.")
        Autoscaling autoscaling,

        @JsonPropertyDescription("How a gateway pod leaves: it stops taking new calls and waits for active ones to end.")
        Drain drain,

        @Min(1)
        @JsonPropertyDescription("Calls one pod takes before it answers new INVITEs with 503 and Retry-After. Unlimited when unset.")
        Integer maxActiveCallsPerPod,

        @JsonPropertyDescription("Let calls from sources that match no SipTrunk reach dispatch rules that name no trunk, "
                + "as LiveKit does. Off by default: unknown sources are dropped and counted as unknown_source.")
        Boolean acceptWithoutTrunk,

        @JsonPropertyDescription("Gateway container image. Defaults to the image matching the operator's version.")
        String image,

        @JsonPropertyDescription("CPU and memory requests and limits of the gateway container.")
        ResourceRequirements resources,

        @JsonPropertyDescription("Extra settings for the gateway pods: labels, annotations, scheduling.")
        PodOverrides podTemplate,

        @JsonPropertyDescription("The Service carriers send SIP to. Its external traffic policy is Local so that "
                + "trunks see callers' real source addresses.")
        SipService service) {

    public SipGatewaySpec {
        sip = sip == null ? new SipListener(null, null, null, null) : sip;
        media = media == null ? new GatewayMedia(null, null, null, null, null) : media;
        drain = drain == null ? new Drain(null) : drain;
        service = service == null ? new SipService(null, null, null) : service;
        hostNetwork = Boolean.TRUE.equals(hostNetwork);
        acceptWithoutTrunk = Boolean.TRUE.equals(acceptWithoutTrunk);
    }
}
