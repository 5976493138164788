package io.dialtone.operator.gateway;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For media.externalAddress nodeExternalIP: writes each gateway pod's node's ExternalIP into the pod's annotation
 * {@link GatewayNames#NODE_EXTERNAL_IP_ANNOTATION}, which the pod reads through the downward API. The operator reads
 * Nodes (get only) so that the pods, which face the internet, need no permission at all.
 */
final class NodeAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAddresses.class);

    private NodeAddresses() {
    }

    /** @return what keeps pods from their address, in words; empty when every scheduled pod has it */
    static List<String> publish(List<Pod> pods, KubernetesClient client) {
        List<String> problems = new ArrayList<>();
        Map<String, Optional<String>> nodes = new HashMap<>();
        for (Pod pod : pods) {
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            if (nodeName == null || pod.getMetadata().getDeletionTimestamp() != null || (annotations != null
                    && annotations.containsKey(GatewayNames.NODE_EXTERNAL_IP_ANNOTATION))) {
                continue;
            }
            Optional<String> address;
            try {
                address = nodes.computeIfAbsent(nodeName, name -> externalIp(name, client));
            } catch (KubernetesClientException e) {
                problems.add("cannot read node " + nodeName + " of pod " + pod.getMetadata().getName() + " ("
                        + e.getMessage() + "); the operator needs get on nodes (the chart's ClusterRole "
                        + "<release>-dialtone-operator-nodes)");
                continue;
            }
            if (address.isEmpty()) {
                problems.add("node " + nodeName + " of pod " + pod.getMetadata().getName() + " has no ExternalIP "
                        + "address, which media.externalAddress nodeExternalIP advertises; give the address itself, "
                        + "or use auto with hostNetwork");
                continue;
            }
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .edit(p -> new PodBuilder(p).editMetadata()
                                .addToAnnotations(GatewayNames.NODE_EXTERNAL_IP_ANNOTATION, address.get()).endMetadata()
                                .build());
                LOG.info("gateway pod {} advertises {}, the ExternalIP of node {}", pod.getMetadata().getName(),
                        address.get(), nodeName);
            } catch (KubernetesClientException e) {
                problems.add("cannot annotate pod " + pod.getMetadata().getName() + " with its node's address: "
                        + e.getMessage());
            }
        }
        return problems;
    }

    private static Optional<String> externalIp(String nodeName, KubernetesClient client) {
        Node node = client.nodes().withName(nodeName).get();
        if (node == null || node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return Optional.empty();
        }
        return node.getStatus().getAddresses().stream().filter(a -> "ExternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress).findFirst();
    }
}
