package io.dialtone.operator;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Resources as a user writes them, plus what the API server adds: namespace, uid, generation, creation time. */
public final class Resources {
    private Resources() {
    }

    public static SipGateway gateway(String name, String spec) {
        return read(SipGateway.class, "SipGateway", name, spec, "2026-01-01T00:00:00Z");
    }

    public static SipTrunk trunk(String name, String spec, String created) {
        return read(SipTrunk.class, "SipTrunk", name, spec, created);
    }

    public static SipTrunk trunk(String name, String spec) {
        return trunk(name, spec, "2026-01-01T00:00:00Z");
    }

    public static DispatchRule rule(String name, String spec) {
        return read(DispatchRule.class, "DispatchRule", name, spec, "2026-01-01T00:00:00Z");
    }

    private static <T extends CustomResource<?, ?>> T read(Class<T> type, String kind, String name, String spec,
                                                           String created) {
        T resource = Serialization.unmarshal("""
                apiVersion: dialtone.io/v1alpha1
                kind: %s
                metadata: {name: %s, namespace: tests, uid: uid-%s, generation: 1, creationTimestamp: "%s"}
                spec: %s
                """.formatted(kind, name, name, created, spec), type);
        return resource;
    }
}
