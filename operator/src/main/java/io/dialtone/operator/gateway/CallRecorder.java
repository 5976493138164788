package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.operator.calls.CallLedger;
import io.dialtone.operator.calls.DeletionCost;
import io.dialtone.operator.calls.LedgerNames;
import io.dialtone.operator.calls.StatsClient;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.stats.StatsDocument;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each SipGateway's call ledger (docs/operator.md, "Call counts"), the only writer of its ConfigMap: takes
 * the /stats its pods answered, retires the processes of pods that are gone, writes the ledger when it changed,
 * and only then tells draining pods what is recorded, so that none exits with calls the totals miss. The ledger is
 * read from the API server each time, never from memory or a cache that may lag a write, so a process is retired
 * exactly once.
 */
final class CallRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(CallRecorder.class);
    private final StatsClient stats;
    private final DeletionCost deletionCost;
    private final EventRecorder events;

    CallRecorder(StatsClient stats, DeletionCost deletionCost, EventRecorder events) {
        this.stats = stats;
        this.deletionCost = deletionCost;
        this.events = events;
    }

    /**
     * @param pods      the gateway's pods as the API server lists them
     * @param polled    their /stats as last read, by the polling event source
     * @param trunkUids SipTrunks that exist, whose retired counts are kept; likewise {@code ruleUids}
     * @return the ledger as now recorded
     */
    CallLedger record(SipGateway gateway, List<Pod> pods, Set<StatsDocument> polled, Set<String> trunkUids,
                      Set<String> ruleUids, Optional<String> token, KubernetesClient client) {
        String namespace = gateway.getMetadata().getNamespace();
        String name = LedgerNames.configMap(gateway.getMetadata().getName());
        ConfigMap existing = client.configMaps().inNamespace(namespace).withName(name).get();
        CallLedger before = read(gateway, existing);
        Set<String> podUids = new HashSet<>();
        pods.forEach(pod -> podUids.add(pod.getMetadata().getUid()));
        CallLedger ledger = before;
        for (StatsDocument report : polled) {
            // A pod the API server no longer lists was retired already; its last answer must not count twice.
            if (podUids.contains(report.pod().uid())) {
                ledger = ledger.record(report);
            }
        }
        ledger = ledger.retireAllBut(podUids).withReadyPods(StatsClient.readyPods(pods))
                .forgettingAllBut(trunkUids, ruleUids);
        if (!ledger.equals(before)) {
            ConfigMap desired = GatewayResources.callLedger(gateway, ledger);
            if (existing == null) {
                client.resource(desired).create();
            } else {
                // Optimistic: a write in between (another replica that took the lead) fails this one, and the
                // reconcile is retried from what is stored.
                desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                client.resource(desired).update();
            }
        }
        acknowledgeDraining(pods, polled, ledger, token);
        for (Pod pod : pods) {
            polled.stream().filter(report -> report.pod().uid().equals(pod.getMetadata().getUid())).findFirst()
                    .ifPresent(report -> deletionCost.update(pod, report.gateway().active()));
        }
        return ledger;
    }

    private void acknowledgeDraining(List<Pod> pods, Set<StatsDocument> polled, CallLedger ledger,
                                     Optional<String> token) {
        Map<String, CallLedger.PodRecord> recorded = ledger.pods();
        for (StatsDocument report : polled) {
            CallLedger.PodRecord record = recorded.get(report.pod().uid());
            if (report.draining() && record != null && record.startedAt().equals(report.startedAt())
                    && report.recorded() < record.sequence()) {
                pods.stream().filter(pod -> pod.getMetadata().getUid().equals(report.pod().uid())).findFirst()
                        .ifPresent(pod -> stats.acknowledge(pod, token, record.sequence()));
            }
        }
    }

    private CallLedger read(SipGateway gateway, ConfigMap existing) {
        if (existing == null) {
            return CallLedger.EMPTY;
        }
        try {
            return LedgerNames.read(existing);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String why = "ConfigMap " + existing.getMetadata().getName() + " does not hold a call ledger ("
                    + e.getOriginalMessage() + "); it is written anew and the totals start again from zero";
            LOG.error("SipGateway {}/{}: {}", gateway.getMetadata().getNamespace(), gateway.getMetadata().getName(),
                    why);
            events.record(gateway, EventRecorder.WARNING, "CallLedgerUnreadable", why);
            return CallLedger.EMPTY;
        }
    }
}
