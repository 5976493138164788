package io.dialtone.operator.metrics;

import io.dialtone.operator.calls.DeletionCost;
import io.dialtone.operator.gateway.GatewayNames;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Pods metric {@value GatewayNames#ACTIVE_CALLS_METRIC}: each gateway pod's active calls as the operator last
 * read them from its /stats, which it keeps on the pod as its pod-deletion-cost. Read from the API server, so that
 * every operator replica answers the same, not only the leader that reads /stats. A pod not read yet has no value,
 * and the autoscaler treats it as it treats any pod without a metric.
 */
final class ActiveCalls {
    private final KubernetesClient client;
    private final Clock clock;

    ActiveCalls(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * @param name          a pod's name, or {@code *} for every pod the selector picks
     * @param labelSelector the autoscaler's selector (the Deployment's), passed to the API server as it is
     */
    MetricValueList read(String namespace, String name, Optional<String> labelSelector) {
        String selector = GatewayNames.GATEWAY_PODS_SELECTOR + labelSelector.filter(s -> !s.isBlank())
                .map(s -> "," + s).orElse("");
        List<Pod> pods = client.pods().inNamespace(namespace)
                .list(new ListOptionsBuilder().withLabelSelector(selector).build()).getItems();
        String now = clock.instant().toString();
        List<MetricValueList.MetricValue> items = pods.stream()
                .filter(pod -> "*".equals(name) || pod.getMetadata().getName().equals(name))
                .flatMap(pod -> activeCalls(pod).stream().map(calls -> new MetricValueList.MetricValue(
                        new MetricValueList.DescribedObject("Pod", namespace, pod.getMetadata().getName(), "/v1"),
                        new MetricValueList.Metric(GatewayNames.ACTIVE_CALLS_METRIC), now, String.valueOf(calls))))
                .toList();
        return new MetricValueList(items);
    }

    private static Optional<Long> activeCalls(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String cost = annotations == null ? null : annotations.get(DeletionCost.ANNOTATION);
        try {
            return cost == null ? Optional.empty() : Optional.of(Long.parseLong(cost));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
