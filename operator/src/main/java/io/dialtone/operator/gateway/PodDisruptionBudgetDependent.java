package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class PodDisruptionBudgetDependent extends GatewayChild<PodDisruptionBudget> {
    public PodDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class, GatewayResources::podDisruptionBudget);
    }
}
