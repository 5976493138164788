package io.dialtone.e2e.support;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;

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
}
