package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.SipGateway;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class AutoscalerDependent extends GatewayChild<HorizontalPodAutoscaler> {
    public AutoscalerDependent() {
        super(HorizontalPodAutoscaler.class, GatewayResources::autoscaler);
    }

    /** By name, not from the desired object: there is none once spec.autoscaling is removed and it must go. */
    @Override
    protected ResourceID targetSecondaryResourceID(SipGateway gateway, Context<SipGateway> context) {
        return new ResourceID(GatewayNames.workload(gateway), gateway.getMetadata().getNamespace());
    }
}
