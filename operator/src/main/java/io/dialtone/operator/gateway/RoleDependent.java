package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

@KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
public final class RoleDependent extends GatewayChild<Role> {
    public RoleDependent() {
        super(Role.class, GatewayResources::role);
    }
}
