package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Map;

/** The Service carriers send SIP to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SipService(
        @Default("LoadBalancer")
        @JsonPropertyDescription("Service type: LoadBalancer (default), NodePort or ClusterIP.")
        ServiceType type,

        @JsonPropertyDescription("Annotations of the Service, e.g. for the cloud's load balancer.")
        Map<String, String> annotations,

        @JsonPropertyDescription("Address the load balancer should take, where the cloud supports choosing it.")
        String loadBalancerIP) {

    public enum ServiceType { LoadBalancer, NodePort, ClusterIP }

    public SipService {
        type = type == null ? ServiceType.LoadBalancer : type;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
