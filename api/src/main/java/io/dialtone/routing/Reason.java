package io.dialtone.routing;

/**
 * Why a call was not connected. Each value carries what the caller is sent (SIP status and the text of the
 * Reason header), the label it is counted under, and a sentence for logs and Events.
 */
public enum Reason {
    UNKNOWN_SOURCE(403, "Source not allowed", "unknown_source",
            "no SipTrunk allows calls from this source address or From host"),
    CALLER_NOT_ALLOWED(403, "Caller not allowed", "caller_not_allowed",
            "the caller's number is not in allowedNumbers of any SipTrunk that accepts this source"),
    NO_TRUNK_FOR_NUMBER(404, "No trunk for number", "no_trunk_for_number",
            "no SipTrunk lists the called number and there is no default trunk (one with empty numbers)"),
    TRUNK_CONFLICT(500, "Conflicting trunks", "trunk_conflict",
            "more than one SipTrunk at the same level accepts this call"),
    AUTH_REQUIRED(407, "Authentication required", "auth_required",
            "the trunk requires digest authentication and the INVITE carried no credentials"),
    AUTH_FAILED(403, "Authentication failed", "auth_failed",
            "the digest credentials do not match the trunk's username and password"),
    NO_RULE(404, "No dispatch rule", "no_rule",
            "no DispatchRule accepts calls from this trunk for these numbers"),
    PIN_INCORRECT(403, "Wrong PIN", "pin_incorrect",
            "the PIN the caller entered matches no DispatchRule"),
    PIN_LOCKED(403, "Too many wrong PINs", "pin_locked",
            "this source address, or this rule, had too many wrong PINs recently; PIN entry is refused for a while"),
    DRAINING(503, "Gateway draining", "draining",
            "the gateway pod is shutting down and takes no new calls"),
    CAPACITY(503, "Gateway at capacity", "capacity",
            "the gateway pod already carries maxActiveCallsPerPod calls"),
    RATE_LIMITED(503, "Too many calls", "rate_limited",
            "this source sent new INVITEs faster than the configured rate"),
    OVERLOADED(503, "Gateway overloaded", "overloaded",
            "new INVITEs from all sources together came faster than the pod's configured rate"),
    NO_COMMON_CODEC(488, "No common codec", "no_common_codec",
            "the caller offered none of the codecs the trunk and gateway accept"),
    SESSION_INTERVAL_TOO_SMALL(422, "Session Interval Too Small", "session_interval_too_small",
            "the caller asked for a session timer (Session-Expires) below the gateway's Min-SE of 90 s"),
    ENCRYPTION_REQUIRED(488, "Encryption required", "encryption_required",
            "the trunk requires SRTP (media.encryption: require) and the offer carries no a=crypto line"),
    NO_COMMON_CRYPTO(488, "No common crypto suite", "no_common_crypto",
            "the offer asks for SRTP the trunk does not do: media.encryption is disable, or no a=crypto line has "
                    + "AES_CM_128_HMAC_SHA1_80 or _32 with one inline key"),
    UNUSABLE_OFFER(488, "Unusable SDP offer", "unusable_offer",
            "the SDP offer does not parse, or names no unicast IP address and port for the caller's audio"),
    ROOM_UNAVAILABLE(503, "Room unavailable", "room_unavailable",
            "the LiveKit room could not be created or joined"),
    RINGING_TIMEOUT(480, "No answer", "ringing_timeout",
            "nobody answered within the trunk's ringingTimeout");

    private final int sipStatus;
    private final String headerText;
    private final String metricLabel;
    private final String explanation;

    Reason(int sipStatus, String headerText, String metricLabel, String explanation) {
        this.sipStatus = sipStatus;
        this.headerText = headerText;
        this.metricLabel = metricLabel;
        this.explanation = explanation;
    }

    public int sipStatus() {
        return sipStatus;
    }

    /** Text of the Reason header sent with the response: {@code Reason: SIP;cause=404;text="No dispatch rule"}. */
    public String headerText() {
        return headerText;
    }

    public String metricLabel() {
        return metricLabel;
    }

    public String explanation() {
        return explanation;
    }

    public static Reason fromMetricLabel(String label) {
        for (Reason reason : values()) {
            if (reason.metricLabel.equals(label)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("unknown rejection reason '" + label + "'");
    }
}
