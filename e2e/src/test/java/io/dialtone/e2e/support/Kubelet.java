package io.dialtone.e2e.support;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Stands in for the kubelet, which kube-api-test does not run: makes the Pod object a Deployment would get,
 * Running and Ready on 127.0.0.1, so the operator finds it. The test then starts the gateway process itself.
 */
public final class Kubelet {
    private Kubelet() {
    }

    /** @param adminPort the pod's admin container port: where the operator reads /stats */
    public static Pod runPod(KubernetesClient client, String namespace, String deploymentName, String podName,
                             int adminPort) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
        var template = deployment.getSpec().getTemplate();
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(podName)
                .withLabels(template.getMetadata().getLabels()).endMetadata()
                .withNewSpec().addNewContainer().withName("gateway").withImage(template.getSpec().getContainers().get(0).getImage())
                .addNewPort().withName("admin").withContainerPort(adminPort).endPort().endContainer().endSpec()
                .build()).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
        return client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    /** The gateway container's environment variables that come from Secrets, resolved as the kubelet does. */
    public static Map<String, String> secretEnv(KubernetesClient client, String namespace, String deploymentName) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
        Map<String, String> environment = new HashMap<>();
        for (EnvVar variable : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
                var ref = variable.getValueFrom().getSecretKeyRef();
                Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                if (secret == null || secret.getData() == null || !secret.getData().containsKey(ref.getKey())) {
                    throw new IllegalStateException("Secret " + ref.getName() + " key " + ref.getKey()
                            + " is missing: the pod could not start");
                }
                environment.put(variable.getName(), new String(Base64.getDecoder().decode(
                        secret.getData().get(ref.getKey())), StandardCharsets.UTF_8));
            }
        }
        return environment;
    }
}
