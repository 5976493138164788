package io.dialtone.api.v1alpha1;

/**
 * Formats and messages shared by the CRD schema (CEL rules, patterns) and the standalone document
 * validator, so a mistake reads the same whether the API server or the gateway catches it.
 */
public final class SpecRules {
    private SpecRules() {
    }

    public static final String PHONE_NUMBER = "^[+]?[-0-9 ()]*[0-9][-0-9 ()]*$";
    public static final String PHONE_NUMBER_MESSAGE =
            "must be a phone number such as +15550100 (digits, an optional leading +, spaces, dashes and brackets)";

    public static final String HOST_NAME = "^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$";
    public static final String ADDRESS_CHECK_A =
            "isIP(a) || isCIDR(a) || (a.matches('" + HOST_NAME + "') && a.matches('[A-Za-z]'))";
    public static final String ADDRESSES_MESSAGE =
            "each allowed address must be an IP address (203.0.113.7), a CIDR (203.0.113.0/24) or a host name matched against the From header";

    public static final String DURATION = "^([0-9]+(ms|s|m|h))+$";
    public static final String DURATION_MESSAGE = "must be a duration such as 500ms, 30s, 15m or 1h30m";

    /**
     * The label a Secret carries (with any value) when the operator may read it: it watches only those, so the
     * passwords and keys of everything else in the namespace never enter its memory.
     */
    public static final String SECRET_LABEL = "dialtone.io/secret";

    /** At least 4 digits: PIN attempts are limited (docs/security.md), but 3 digits are 1,000 guesses. */
    public static final String PIN = "^[0-9]{4,16}$";
    public static final String PIN_MESSAGE = "pin must be 4 to 16 digits";
    /** Headers the gateway adds to what it sends, as LiveKit allows: X- headers, their names SIP tokens. */
    public static final String X_HEADER = "^[Xx]-[A-Za-z0-9.!%*_+`'~-]{1,64}$";
    public static final String X_HEADER_MESSAGE = "is not an X- header name (X- and up to 64 letters, digits or "
            + "-.!%*_+`'~): the gateway adds only X- headers, as LiveKit does";
    /** A header value with no line break or other control character, so it cannot start a header of its own. */
    public static final String HEADER_VALUE = "^[^\\p{Cntrl}]{0,1024}$";
    public static final String HEADER_VALUE_MESSAGE = "a header value must be at most 1024 characters, without line "
            + "breaks or other control characters";

    public static final String ONE_RULE_KIND_RULE =
            "[has(self.individual), has(self.direct), has(self.callee)].filter(x, x).size() == 1";
    public static final String ONE_RULE_KIND_MESSAGE = "set exactly one of individual, direct or callee";

    public static final String PIN_SOURCE_RULE = "!(has(self.pin) && has(self.pinSecretRef))";
    public static final String PIN_SOURCE_MESSAGE = "set pin or pinSecretRef, not both";

    public static final String PORT_RANGE_ORDER_RULE = "self.min < self.max";
    public static final String PORT_RANGE_ORDER_MESSAGE = "rtpPortRange.min must be lower than rtpPortRange.max";
    public static final String PORT_RANGE_EVEN_RULE = "self.min % 2 == 0";
    public static final String PORT_RANGE_EVEN_MESSAGE =
            "rtpPortRange.min must be even: RTP takes the even port and RTCP the odd one above it";

    public static final String LIVEKIT_URL = "^(wss?|https?)://[^\\s/]+(/.*)?$";
    public static final String LIVEKIT_URL_RULE = "self.url.matches('^(wss?|https?)://[^\\\\s/]+(/.*)?$')";
    public static final String LIVEKIT_URL_MESSAGE = "livekit.url must start with ws://, wss://, http:// or https://";

    public static final String CREDENTIALS_RULE =
            "has(self.credentialsSecret) != (has(self.apiKey) && has(self.apiSecret)) && has(self.apiKey) == has(self.apiSecret)";
    public static final String CREDENTIALS_MESSAGE =
            "set either credentialsSecret (a Secret with keys apiKey and apiSecret) or both apiKey and apiSecret";

    public static final String AUTH_RULE =
            "has(self.secretRef) != (has(self.username) && has(self.password)) && has(self.username) == has(self.password)";
    public static final String AUTH_MESSAGE =
            "set either secretRef (a Secret with keys username and password) or both username and password";

    public static final String TLS_RULE = "!('tls' in self.transports) || has(self.tls)";
    public static final String TLS_MESSAGE = "the tls transport needs sip.tls with a certificate";

    public static final String AUTOSCALING_RULE = "self.minReplicas <= self.maxReplicas";
    public static final String AUTOSCALING_MESSAGE = "autoscaling.minReplicas must not exceed maxReplicas";

    public static final String REPLICAS_RULE = "!(has(self.replicas) && has(self.autoscaling))";
    public static final String REPLICAS_MESSAGE =
            "set replicas or autoscaling, not both: with autoscaling the HorizontalPodAutoscaler owns the replica count";

    public static final String EXTERNAL_ADDRESS_RULE =
            "self.externalAddress == 'auto' || self.externalAddress == 'nodeExternalIP' || isIP(self.externalAddress)"
                    + " || (self.externalAddress.matches('" + HOST_NAME + "') && self.externalAddress.matches('[A-Za-z]'))";
    public static final String EXTERNAL_ADDRESS_MESSAGE =
            "media.externalAddress must be auto, nodeExternalIP, an IP address or a host name";
}
