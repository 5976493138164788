package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.operator.calls.StatsClient;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of everything the operator makes for a SipGateway. */
public final class GatewayNames {
    public static final String MANAGED_BY = "dialtone-operator";
    /** On a gateway pod: its node's ExternalIP, for media.externalAddress nodeExternalIP. */
    public static final String NODE_EXTERNAL_IP_ANNOTATION = "dialtone.io/node-external-ip";
    public static final String LABEL_NAME = "app.kubernetes.io/name";
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String LABEL_PART_OF = "app.kubernetes.io/part-of";
    /** Selects everything the operator manages, for its informers. */
    public static final String MANAGED_SELECTOR = LABEL_MANAGED_BY + "=" + MANAGED_BY;
    public static final String GATEWAY_PODS_SELECTOR = MANAGED_SELECTOR + "," + LABEL_COMPONENT + "=gateway";
    /** The Pods metric the autoscaler reads for targetActiveCallsPerPod, as the gateways' /metrics names it. */
    public static final String ACTIVE_CALLS_METRIC = "dialtone_gateway_active_calls";
    public static final int ADMIN_PORT = StatsClient.ADMIN_PORT;
    public static final String ADMIN_PORT_NAME = StatsClient.ADMIN_PORT_NAME;

    private GatewayNames() {
    }

    /** Deployment, ServiceAccount, Role, RoleBinding, PodDisruptionBudget and HorizontalPodAutoscaler. */
    public static String workload(SipGateway gateway) {
        return gateway.getMetadata().getName() + "-gateway";
    }

    public static String service(SipGateway gateway) {
        return gateway.getMetadata().getName() + "-sip";
    }

    public static String routingSecret(SipGateway gateway) {
        return gateway.getMetadata().getName() + "-routing";
    }

    /** The bearer token the gateway's pods ask for on /stats, which only the operator reads (docs/security.md). */
    public static String statsTokenSecret(SipGateway gateway) {
        return statsTokenSecret(gateway.getMetadata().getName());
    }

    public static String statsTokenSecret(String gateway) {
        return gateway + "-stats-token";
    }

    public static final String STATS_TOKEN_KEY = "token";

    /** The labels that pick a gateway's pods: stable for the Deployment's immutable selector. */
    public static Map<String, String> selector(SipGateway gateway) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_NAME, "dialtone-gateway");
        labels.put(LABEL_INSTANCE, gateway.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> labels(SipGateway gateway, String component) {
        Map<String, String> labels = selector(gateway);
        labels.put(LABEL_COMPONENT, component);
        labels.put(LABEL_PART_OF, "dialtone");
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        return labels;
    }
}
