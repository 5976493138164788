package io.dialtone.operator.routing;

import io.dialtone.api.v1alpha1.SipGateway;
import java.util.List;

/**
 * Which SipGateway a trunk or rule belongs to: the one its gatewayRef names, or the namespace's only gateway when it
 * names none. When that cannot be decided, {@code reason} and {@code message} say why in words.
 */
public record Membership(String gateway, String reason, String message) {
    public static final String GATEWAY_NOT_FOUND = "GatewayNotFound";
    public static final String GATEWAY_AMBIGUOUS = "GatewayAmbiguous";

    public static Membership of(String kind, String gatewayRef, List<SipGateway> gatewaysInNamespace) {
        if (gatewayRef != null) {
            boolean exists = gatewaysInNamespace.stream().anyMatch(g -> gatewayRef.equals(g.getMetadata().getName()));
            return exists ? new Membership(gatewayRef, null, null)
                    : new Membership(null, GATEWAY_NOT_FOUND, "SipGateway " + gatewayRef + " (spec.gatewayRef) does not "
                    + "exist in this namespace; this " + kind + " takes effect once it is created");
        }
        if (gatewaysInNamespace.size() == 1) {
            return new Membership(gatewaysInNamespace.get(0).getMetadata().getName(), null, null);
        }
        if (gatewaysInNamespace.isEmpty()) {
            return new Membership(null, GATEWAY_NOT_FOUND, "there is no SipGateway in this namespace; this " + kind
                    + " takes effect once one is created");
        }
        return new Membership(null, GATEWAY_AMBIGUOUS, "this namespace has " + gatewaysInNamespace.size()
                + " SipGateways (" + String.join(", ", gatewaysInNamespace.stream()
                .map(g -> g.getMetadata().getName()).sorted().toList()) + "); set spec.gatewayRef to one of them");
    }

    /** Whether a trunk or rule with this gatewayRef is compiled into {@code gateway}. */
    public static boolean belongs(String gatewayRef, String gateway, int gatewaysInNamespace) {
        return gatewayRef != null ? gatewayRef.equals(gateway) : gatewaysInNamespace == 1;
    }
}
