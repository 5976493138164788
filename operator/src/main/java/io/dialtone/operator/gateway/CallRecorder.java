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
 * Keeps each SipGateway's call ledger (docs/operator.md, "Status and call counts"), the only writer of its ConfigMap: takes
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
     * @return the ledger as now recorded, and whether draining pods were just told of it
     */
    Recorded record(SipGateway gateway, List<Pod> pods, Set<StatsDocument> polled, Set<String> trunkUids,
                    Set<String> ruleUids, Optional<String> token, KubernetesClient client) {
        String namespace = gateway.getMetadata().getNamespace();
        String name = LedgerNames.configMap(gateway.getMetadata().getName());
        ConfigMap existing = client.configMaps().inNamespace(namespace).withName(name).get();
        Optional<String> foreign = foreign(gateway, existing);
        if (foreign.isPresent()) {
            LOG.warn("SipGateway {}/{}: {}", namespace, gateway.getMetadata().getName(), foreign.get());
            events.record(gateway, EventRecorder.WARNING, "CallLedgerConflict", foreign.get());
            return new Recorded(CallLedger.EMPTY, false);
        }
        CallLedger before = read(gateway, existing);
        // A pod that ended (Failed or Succeeded: evicted, its node shut down) has no calls any more, though it is
        // still listed.
        Set<String> podUids = new HashSet<>();
        pods.stream().filter(pod -> pod.getStatus() == null || !ENDED.contains(pod.getStatus().getPhase()))
                .forEach(pod -> podUids.add(pod.getMetadata().getUid()));
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
        boolean acknowledging = acknowledgeDraining(pods, polled, ledger, token);
        for (Pod pod : pods) {
            polled.stream().filter(report -> report.pod().uid().equals(pod.getMetadata().getUid())).findFirst()
                    .ifPresent(report -> deletionCost.update(pod, report.gateway().active()));
        }
        return new Recorded(ledger, acknowledging);
    }

    /**
     * @param ledger        the ledger as now recorded
     * @param acknowledging whether draining pods were told of recorded counts they had not heard of yet; until
     *                      their next answer shows it, the reconcile comes back to tell them again
     */
    record Recorded(CallLedger ledger, boolean acknowledging) {
    }

    private static final Set<String> ENDED = Set.of("Failed", "Succeeded");

    /** @return whether any draining pod was told */
    private boolean acknowledgeDraining(List<Pod> pods, Set<StatsDocument> polled, CallLedger ledger,
                                        Optional<String> token) {
        Map<String, CallLedger.PodRecord> recorded = ledger.pods();
        boolean told = false;
        for (StatsDocument report : polled) {
            CallLedger.PodRecord record = recorded.get(report.pod().uid());
            if (report.draining() && record != null && record.startedAt().equals(report.startedAt())
                    && report.recorded() < record.sequence()) {
                Optional<Pod> pod = pods.stream()
                        .filter(candidate -> candidate.getMetadata().getUid().equals(report.pod().uid())).findFirst();
                if (pod.isPresent()) {
                    stats.acknowledge(pod.get(), token, record.sequence());
                    told = true;
                }
            }
        }
        return told;
    }

    /**
     * Why the ConfigMap of that name is not this gateway's ledger to write, if it is not: someone else's (no ledger
     * label naming the gateway), or the ledger of a gateway of the same name that was deleted and awaits garbage
     * collection (owned by another UID). The ledger is left alone, as the /stats token Secret is.
     */
    private static Optional<String> foreign(SipGateway gateway, ConfigMap existing) {
        if (existing == null) {
            return Optional.empty();
        }
        String name = existing.getMetadata().getName();
        if (!LedgerNames.gatewayOf(existing).filter(gateway.getMetadata().getName()::equals).isPresent()) {
            return Optional.of("ConfigMap " + name + " exists but is not this gateway's call ledger (no label "
                    + LedgerNames.LABEL + "=" + gateway.getMetadata().getName() + "); call counts are not recorded "
                    + "until it is renamed or deleted");
        }
        boolean owned = existing.getMetadata().getOwnerReferences() == null
                || existing.getMetadata().getOwnerReferences().isEmpty()
                || existing.getMetadata().getOwnerReferences().stream()
                .anyMatch(owner -> gateway.getMetadata().getUid().equals(owner.getUid()));
        return owned ? Optional.empty() : Optional.of("ConfigMap " + name + " is the call ledger of an earlier "
                + "SipGateway of this name, which garbage collection removes; counts are recorded once it is gone");
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
