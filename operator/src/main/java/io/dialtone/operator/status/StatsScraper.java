package io.dialtone.operator.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dialtone.operator.gateway.GatewayNames;
import io.dialtone.operator.routing.ResourceKey;
import io.dialtone.stats.StatsDocument;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads /stats of every running gateway pod every few seconds (docs/operator.md), feeds the call ledgers, and
 * wakes the reconcilers whose status that changes. Pods that are draining are read too: their calls still count.
 */
public final class StatsScraper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatsScraper.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final GatewayRegistry registry;
    private final DeletionCost deletionCost;
    private final Duration interval;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "stats-scraper");
        thread.setDaemon(true);
        return thread;
    });
    /** Pods whose last scrape failed, so a failure is logged once, not every few seconds. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    public StatsScraper(GatewayRegistry registry, DeletionCost deletionCost, Duration interval) {
        this.registry = registry;
        this.deletionCost = deletionCost;
        this.interval = interval;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::scrapeAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("reading gateway pods' /stats every {} ms", interval.toMillis());
    }

    private void scrapeAll() {
        registry.prune();
        for (ResourceID gateway : registry.gateways()) {
            try {
                scrape(gateway);
            } catch (RuntimeException e) {
                LOG.error("reading the stats of gateway {} failed", gateway, e);
            }
        }
    }

    private void scrape(ResourceID gateway) {
        CallLedger ledger = registry.ledger(gateway);
        Map<ResourceKey, Boolean> propagatedBefore = registry.propagated(gateway);
        List<Pod> pods = registry.pods(gateway).stream().filter(StatsScraper::running).toList();
        Set<String> uids = new HashSet<>();
        pods.forEach(p -> uids.add(p.getMetadata().getUid()));
        Set<CallLedger.Key> changed = new HashSet<>(ledger.retain(uids));
        java.util.Optional<String> token = registry.statsToken(gateway);
        for (Pod pod : pods) {
            StatsDocument stats = fetch(pod, token);
            if (stats != null) {
                changed.addAll(ledger.observe(stats));
                deletionCost.update(pod, stats.gateway().active());
            }
        }
        if (!changed.isEmpty()) {
            wake(gateway, changed, propagatedBefore);
        }
    }

    /** Wakes the gateway, and the trunks and rules whose counts changed or whose pods caught up or fell behind. */
    private void wake(ResourceID gateway, Set<CallLedger.Key> changed, Map<ResourceKey, Boolean> propagatedBefore) {
        registry.wakeGateway(gateway);
        String namespace = gateway.getNamespace().orElseThrow();
        Map<ResourceKey, Boolean> propagatedNow = changed.contains(CallLedger.Key.PODS) ? registry.propagated(gateway)
                : propagatedBefore;
        for (Map.Entry<ResourceKey, Boolean> entry : propagatedNow.entrySet()) {
            ResourceKey key = entry.getKey();
            if (changed.contains(new CallLedger.Key(key.kind(), key.name()))
                    || !entry.getValue().equals(propagatedBefore.get(key))) {
                registry.wake(key.kind(), namespace, key.name());
            }
        }
    }

    private StatsDocument fetch(Pod pod, java.util.Optional<String> token) {
        String name = pod.getMetadata().getName();
        URI uri = URI.create("http://" + pod.getStatus().getPodIP() + ":" + adminPort(pod) + "/stats");
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
            token.ifPresent(secret -> request.header("Authorization", "Bearer " + secret));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            StatsDocument stats = JSON.readValue(response.body(), StatsDocument.class);
            if (!Objects.equals(stats.pod().uid(), pod.getMetadata().getUid())) {
                throw new IOException("it reports pod UID " + stats.pod().uid() + " instead of "
                        + pod.getMetadata().getUid());
            }
            if (failing.remove(name)) {
                LOG.info("reading {} works again", uri);
            }
            return stats;
        } catch (IOException e) {
            if (failing.add(name)) {
                LOG.warn("cannot read the stats of gateway pod {} at {}: {}", name, uri, e.toString());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static boolean running(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty();
    }

    /** The container port named admin; the tests' stand-in pods name a free port there. */
    static int adminPort(Pod pod) {
        return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                .filter(p -> GatewayNames.ADMIN_PORT_NAME.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElse(GatewayNames.ADMIN_PORT);
    }

    /** Ready pods by UID: the ones whose revision decides whether a change has propagated. */
    public static Map<String, String> readyPods(List<Pod> pods) {
        Map<String, String> ready = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (running(pod) && pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus().getConditions() != null
                    && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                ready.put(pod.getMetadata().getUid(), pod.getMetadata().getName());
            }
        }
        return ready;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
