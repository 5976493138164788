package io.dialtone.operator.routing;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** A SipTrunk or DispatchRule of one gateway, by kind and name; the gateway fixes the namespace. */
public record ResourceKey(String kind, String name) {
    public static ResourceKey of(HasMetadata resource) {
        return new ResourceKey(resource.getKind(), resource.getMetadata().getName());
    }

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
