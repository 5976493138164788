package io.dialtone.operator.calls;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks each gateway pod with its active calls as its pod-deletion-cost (docs/operations.md), so that when the
 * autoscaler scales in, the ReplicaSet removes the idlest pods first and the fewest calls wait for a drain.
 */
public final class DeletionCost {
    public static final String ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";
    private static final Logger LOG = LoggerFactory.getLogger(DeletionCost.class);

    private final KubernetesClient client;

    public DeletionCost(KubernetesClient client) {
        this.client = client;
    }

    /** Patches the annotation when it differs from the pod's active calls. */
    public void update(Pod pod, long activeCalls) {
        String cost = String.valueOf(activeCalls);
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (annotations != null && cost.equals(annotations.get(ANNOTATION))) {
            return;
        }
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"" + cost + "\"}}}");
        } catch (KubernetesClientException e) {
            LOG.warn("cannot set the deletion cost of gateway pod {}: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }
}
