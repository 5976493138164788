package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.config.SecretLookup;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The Secrets a compilation may read: those of the gateway's namespace that carry {@value SpecRules#SECRET_LABEL},
 * from the operator's cache of exactly those. For a name the cache lacks, one read tells the user whether the Secret
 * is missing or only unlabelled.
 */
final class LabelledSecrets implements SecretLookup {
    private final InformerEventSource<Secret, ?> labelled;
    private final KubernetesClient client;
    private final String namespace;

    LabelledSecrets(InformerEventSource<Secret, ?> labelled, KubernetesClient client, String namespace) {
        this.labelled = labelled;
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Map<String, String> find(String name) {
        return labelled.get(new ResourceID(name, namespace)).map(LabelledSecrets::decode).orElse(null);
    }

    @Override
    public String whyMissing(String name) {
        if (client.secrets().inNamespace(namespace).withName(name).get() == null) {
            return SecretLookup.super.whyMissing(name);
        }
        return "Secret " + name + " has no label " + SpecRules.SECRET_LABEL + ", and the operator reads only Secrets "
                + "labelled so: kubectl label secret " + name + " " + SpecRules.SECRET_LABEL + "=true";
    }

    static Map<String, String> decode(Secret secret) {
        Map<String, String> data = new HashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> data.put(key,
                    new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }
}
