package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class RoleBindingDependent extends GatewayChild<RoleBinding> {
    public RoleBindingDependent() {
        super(RoleBinding.class, GatewayResources::roleBinding);
    }
}
