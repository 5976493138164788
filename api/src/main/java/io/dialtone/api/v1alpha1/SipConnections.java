package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What TCP and TLS connections may cost a gateway pod: each one holds two threads of the SIP stack, and a message
 * is read into memory whole.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.idleTimeout) || self.idleTimeout.matches('" + SpecRules.DURATION + "')",
        message = SpecRules.DURATION_MESSAGE, fieldPath = ".idleTimeout")
@ValidationRule(value = "!has(self.readTimeout) || self.readTimeout.matches('" + SpecRules.DURATION + "')",
        message = SpecRules.DURATION_MESSAGE, fieldPath = ".readTimeout")
public record SipConnections(
        @Default("2m")
        @Size(max = 32)
        @JsonPropertyDescription("A TCP or TLS connection on which nothing arrives for this long is closed; a peer "
                + "that keeps one open sends CRLF keep-alives (RFC 5626). Defaults to 2m.")
        String idleTimeout,

        @Default("512")
        @Min(1)
        @Max(100000)
        @JsonPropertyDescription("TCP and TLS connections one pod holds at once; more are closed as they arrive. "
                + "Defaults to 512.")
        Integer max,

        @Default("16")
        @Min(1)
        @Max(100000)
        @JsonPropertyDescription("TCP and TLS connections one source address may hold at once. Defaults to 16.")
        Integer maxPerSource,

        @Default("5s")
        @Size(max = 32)
        @JsonPropertyDescription("A TCP or TLS connection that stops in the middle of a message, or a TLS client that "
                + "does not finish its handshake, is closed after this long. Defaults to 5s.")
        String readTimeout,

        @Default("65536")
        @Min(4096)
        @Max(1048576)
        @JsonPropertyDescription("The largest SIP message taken, in bytes; a TCP or TLS message announcing a larger "
                + "Content-Length closes its connection before anything that size is allocated. Defaults to 65536.")
        Integer maxMessageBytes) {

    public static final String DEFAULT_IDLE_TIMEOUT = "2m";
    public static final int DEFAULT_MAX = 512;
    public static final int DEFAULT_MAX_PER_SOURCE = 16;
    public static final String DEFAULT_READ_TIMEOUT = "5s";
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 65536;

    public SipConnections {
        idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
        max = max == null ? DEFAULT_MAX : max;
        maxPerSource = maxPerSource == null ? DEFAULT_MAX_PER_SOURCE : maxPerSource;
        readTimeout = readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout;
        maxMessageBytes = maxMessageBytes == null ? DEFAULT_MAX_MESSAGE_BYTES : maxMessageBytes;
    }
}
