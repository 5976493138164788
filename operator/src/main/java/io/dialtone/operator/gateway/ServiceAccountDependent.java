package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class ServiceAccountDependent extends GatewayChild<ServiceAccount> {
    public ServiceAccountDependent() {
        super(ServiceAccount.class, GatewayResources::serviceAccount);
    }
}
