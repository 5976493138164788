package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class DeploymentDependent extends GatewayChild<Deployment> {
    public DeploymentDependent() {
        super(Deployment.class, gateway -> GatewayResources.deployment(gateway, GatewayImage.defaultImage()));
    }
}
