package io.dialtone.e2e.support;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stands in for the kubelet, which kube-api-test does not run: makes the Pod object a Deployment would get,
 * Running and Ready on 127.0.0.1, so the operator finds it. The test then starts the gateway process itself. The
 * pod is bound to a node, so that deleting it is graceful as in a cluster: it stays, terminating, until
 * {@link #podStopped} says its process has exited.
 */
public final class Kubelet {
    /** The node the stand-in pods are bound to; tests may create it, with the addresses they need. */
    public static final String NODE = "stand-in-node";

    private Kubelet() {
    }

    /** What the kubelet does once a deleted pod's containers have exited: removes the Pod object for good. */
    public static void podStopped(KubernetesClient client, String namespace, String podName) {
        client.pods().inNamespace(namespace).withName(podName).withGracePeriod(0).delete();
    }

    /** @param adminPort the pod's admin container port: where the operator reads /stats */
    public static Pod runPod(KubernetesClient client, String namespace, String deploymentName, String podName,
                             int adminPort) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
        var template = deployment.getSpec().getTemplate();
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(podName)
                .withLabels(template.getMetadata().getLabels()).endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("gateway").withImage(template.getSpec().getContainers().get(0).getImage())
                .addNewPort().withName("admin").withContainerPort(adminPort).endPort().endContainer().endSpec()
                .build()).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
        return client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }

    /**
     * What the kubelet writes for the pod's downward-API volumes that carry its annotations, under {@code root} at
     * their mount paths; an annotation not there yet leaves its file out.
     */
    public static void downwardApi(KubernetesClient client, String namespace, String podName, String deploymentName,
                                   Path root) throws IOException {
        Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
        var template = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get().getSpec()
                .getTemplate().getSpec();
        for (var mounted : mountedVolumes(template).entrySet()) {
            var mount = mounted.getKey();
            var volume = mounted.getValue();
            if (volume.getDownwardAPI() == null) {
                continue;
            }
            Path directory = Files.createDirectories(root.resolve(mount.getMountPath().substring(1)));
            for (var item : volume.getDownwardAPI().getItems()) {
                String path = item.getFieldRef().getFieldPath();
                String key = path.substring(path.indexOf("['") + 2, path.lastIndexOf("']"));
                Map<String, String> annotations = pod.getMetadata().getAnnotations();
                if (annotations != null && annotations.containsKey(key)) {
                    Files.writeString(directory.resolve(item.getPath()), annotations.get(key));
                }
            }
        }
    }

    /** The gateway container's volume mounts, each with the pod volume it mounts. */
    private static Map<VolumeMount, Volume> mountedVolumes(PodSpec template) {
        Map<VolumeMount, Volume> mounted = new LinkedHashMap<>();
        for (var mount : template.getContainers().get(0).getVolumeMounts()) {
            mounted.put(mount, template.getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseThrow());
        }
        return mounted;
    }

    /**
     * The gateway container's environment as the kubelet would give it, with the Secret volumes it mounts written
     * under {@code root} (and paths into them rewritten to there): what the pod would read.
     */
    public static Map<String, String> environment(KubernetesClient client, String namespace, String deploymentName,
                                                  Path root) throws IOException {
        var template = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get().getSpec()
                .getTemplate().getSpec();
        var container = template.getContainers().get(0);
        Map<String, String> mounted = new HashMap<>();
        for (var mountedVolume : mountedVolumes(template).entrySet()) {
            var mount = mountedVolume.getKey();
            var volume = mountedVolume.getValue();
            if (volume.getSecret() == null) {
                continue;
            }
            Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
            if (secret == null) {
                throw new IllegalStateException("Secret " + volume.getSecret().getSecretName()
                        + " is missing: the pod could not start");
            }
            Path directory = root.resolve(mount.getMountPath().substring(1));
            Files.createDirectories(directory);
            for (var entry : secret.getData().entrySet()) {
                Files.write(directory.resolve(entry.getKey()), Base64.getDecoder().decode(entry.getValue()));
            }
            mounted.put(mount.getMountPath(), directory.toString());
        }
        Map<String, String> environment = new HashMap<>();
        for (EnvVar variable : container.getEnv()) {
            if (variable.getValue() != null) {
                String value = variable.getValue();
                for (var mount : mounted.entrySet()) {
                    value = value.startsWith(mount.getKey() + "/")
                            ? mount.getValue() + value.substring(mount.getKey().length()) : value;
                }
                environment.put(variable.getName(), value);
            }
        }
        return environment;
    }
}
