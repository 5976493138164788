package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = SpecRules.TLS_RULE, message = SpecRules.TLS_MESSAGE)
public record SipListener(
        @Default("5060")
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("SIP port for UDP and TCP. Defaults to 5060.")
        Integer port,

        @Default("[\"udp\",\"tcp\"]")
        @Size(min = 1, max = 3)
        @JsonPropertyDescription("Transports to listen on: udp, tcp, tls. Defaults to udp and tcp.")
        List<SipTransport> transports,

        @JsonPropertyDescription("Certificate for the tls transport.")
        SipTls tls,

        @JsonPropertyDescription("Limits on TCP and TLS connections: idle timeout, total and per source address.")
        SipConnections connections) {

    public static final int DEFAULT_PORT = 5060;

    public SipListener {
        port = port == null ? DEFAULT_PORT : port;
        transports = transports == null ? List.of(SipTransport.udp, SipTransport.tcp) : List.copyOf(transports);
        connections = connections == null ? new SipConnections(null, null, null, null, null) : connections;
    }
}
