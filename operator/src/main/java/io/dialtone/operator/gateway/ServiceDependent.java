package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class ServiceDependent extends GatewayChild<Service> {
    public ServiceDependent() {
        super(Service.class, GatewayResources::service);
    }
}
