package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.SipGateway;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.function.Function;

/**
 * A child of a SipGateway, applied with server-side apply and owned by the gateway. Each kind is a subclass because
 * the framework makes dependents from their class; the desired object comes from {@link GatewayResources}.
 */
abstract class GatewayChild<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, SipGateway> {
    private final Function<SipGateway, R> desired;

    GatewayChild(Class<R> type, Function<SipGateway, R> desired) {
        super(type);
        this.desired = desired;
    }

    @Override
    protected R desired(SipGateway gateway, Context<SipGateway> context) {
        return desired.apply(gateway);
    }
}
