package io.dialtone.operator.gateway;

/**
 * The gateway image for SipGateways that name none: the operator's --gateway-image, which the Helm chart sets to
 * the gateway built with the operator.
 */
public final class GatewayImage {
    public static final String DEFAULT = "dialtone/gateway:0.1.0";
    private static volatile String image = DEFAULT;

    private GatewayImage() {
    }

    public static String defaultImage() {
        return image;
    }

    /** Set once at start-up: dependents are made by the framework, which passes them no settings. */
    public static void use(String defaultImage) {
        image = defaultImage;
    }
}
