package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class AutoscalerDependent extends GatewayChild<HorizontalPodAutoscaler> {
    public AutoscalerDependent() {
        super(HorizontalPodAutoscaler.class, GatewayResources::autoscaler);
    }
}
