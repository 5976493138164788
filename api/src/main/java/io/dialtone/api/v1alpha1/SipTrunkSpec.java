package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.allowedAddresses) || self.allowedAddresses.all(a, " + SpecRules.ADDRESS_CHECK_A + ")", message = SpecRules.ADDRESSES_MESSAGE, fieldPath = ".allowedAddresses")
@ValidationRule(value = "!has(self.ringingTimeout) || self.ringingTimeout.matches('" + SpecRules.DURATION + "')", message = SpecRules.DURATION_MESSAGE, fieldPath = ".ringingTimeout")
@ValidationRule(value = "!has(self.maxCallDuration) || self.maxCallDuration.matches('" + SpecRules.DURATION + "')", message = SpecRules.DURATION_MESSAGE, fieldPath = ".maxCallDuration")
public record SipTrunkSpec(
        @JsonPropertyDescription("SipGateway that serves this trunk. May be left out when the namespace has one gateway.")
        String gatewayRef,

        @Size(max = 1000)
        @JsonPropertyDescription("Called numbers (the To user) this trunk is for. Empty: a default trunk that takes any number "
                + "no specific trunk claims. Compared after normalisation: spaces, dashes and brackets removed, + added.")
        List<@Size(max = 32) @Pattern(SpecRules.PHONE_NUMBER) String> numbers,

        @Size(max = 256)
        @JsonPropertyDescription("Sources allowed to call: IP addresses, CIDRs, or host names matched against the From host. "
                + "Empty: any source.")
        List<@Size(max = 253) String> allowedAddresses,

        @Size(max = 1000)
        @JsonPropertyDescription("Caller numbers (the From user) allowed to call. Empty: any caller.")
        List<@Size(max = 32) @Pattern(SpecRules.PHONE_NUMBER) String> allowedNumbers,

        @JsonPropertyDescription("Digest authentication the caller must pass (407 challenge). Unset: no authentication.")
        TrunkAuth auth,

        @JsonPropertyDescription("X- headers added to the 200 OK that answers a call on this trunk: header name -> value.")
        Map<String, String> headers,

        @JsonPropertyDescription("SIP request headers copied into participant attributes: header name -> attribute name.")
        Map<String, String> headersToAttributes,

        @JsonPropertyDescription("Caller participant attributes (as an agent set them in the room) sent as X- headers on the BYE the gateway sends: attribute name -> header name.")
        Map<String, String> attributesToHeaders,

        @Default("none")
        @JsonPropertyDescription("Which request headers become sip.h.<name> attributes: none, x-headers or all.")
        HeaderInclusion includeHeaders,

        @Default(DEFAULT_RINGING_TIMEOUT)
        @Size(max = 32)
        @JsonPropertyDescription("How long a call may ring before it is given up (480). Defaults to 30s.")
        String ringingTimeout,

        @Default("auto")
        @JsonPropertyDescription("When a gateway that bridges audio answers (200 OK): firstTrack, once the caller's "
                + "participant has joined and subscribed to a first audio track in the room (an agent or a person ready "
                + "to speak), with 180 Ringing every second until then and ringingTimeout as the limit; joined, as soon "
                + "as the participant has joined; auto (the default), firstTrack when the call's DispatchRule "
                + "dispatches agents and joined when it dispatches none. Gateways without the audio bridge answer on "
                + "join.")
        AnswerWhen answerWhen,

        @Default(DEFAULT_MAX_CALL_DURATION)
        @Size(max = 32)
        @JsonPropertyDescription("Longest call; the gateway hangs up after it. Defaults to 24h.")
        String maxCallDuration,

        @JsonPropertyDescription("Codecs and media encryption for calls on this trunk.")
        TrunkMedia media) implements GatewayMember {

    /** Also what a call admitted without a trunk (acceptWithoutTrunk) rings and lasts for. */
    public static final String DEFAULT_RINGING_TIMEOUT = "30s";
    public static final String DEFAULT_MAX_CALL_DURATION = "24h";

    public SipTrunkSpec {
        numbers = numbers == null ? List.of() : List.copyOf(numbers);
        allowedAddresses = allowedAddresses == null ? List.of() : List.copyOf(allowedAddresses);
        allowedNumbers = allowedNumbers == null ? List.of() : List.copyOf(allowedNumbers);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        headersToAttributes = headersToAttributes == null ? Map.of() : Map.copyOf(headersToAttributes);
        attributesToHeaders = attributesToHeaders == null ? Map.of() : Map.copyOf(attributesToHeaders);
        includeHeaders = includeHeaders == null ? HeaderInclusion.none : includeHeaders;
        ringingTimeout = ringingTimeout == null ? DEFAULT_RINGING_TIMEOUT : ringingTimeout;
        answerWhen = answerWhen == null ? AnswerWhen.auto : answerWhen;
        maxCallDuration = maxCallDuration == null ? DEFAULT_MAX_CALL_DURATION : maxCallDuration;
        media = media == null ? new TrunkMedia(null, null, null) : media;
    }
}
