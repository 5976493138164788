package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record SipTls(
        @Default("5061")
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("SIP port for TLS. Defaults to 5061.")
        Integer port,

        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Name of a kubernetes.io/tls Secret (tls.crt, tls.key) in the same namespace.")
        String secretName,

        @JsonPropertyDescription("PEM certificate chain file, for standalone gateways.")
        String certificateFile,

        @JsonPropertyDescription("PEM private key file, for standalone gateways.")
        String privateKeyFile) {

    public static final int DEFAULT_PORT = 5061;

    public SipTls {
        port = port == null ? DEFAULT_PORT : port;
    }
}
