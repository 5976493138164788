package io.dialtone.operator.calls;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dialtone.stats.StatsDocument;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to gateway pods' admin ports: reads /stats of every running pod at once, and tells a draining pod which
 * counters the operator has recorded (docs/operator.md, "Status and call counts"). Both carry the gateway's stats token.
 */
public final class StatsClient {
    public static final String ADMIN_PORT_NAME = "admin";
    public static final int ADMIN_PORT = 8080;
    private static final Logger LOG = LoggerFactory.getLogger(StatsClient.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    /** When a pod whose requests fail was last logged, by UID: once in {@link #LOG_AGAIN}, not every few seconds. */
    private final Map<String, Instant> failing = new ConcurrentHashMap<>();
    private static final Duration LOG_AGAIN = Duration.ofMinutes(10);

    /** The /stats of each running pod that answered; the others are left out (and logged once). */
    public Set<StatsDocument> read(List<Pod> pods, Optional<String> token) {
        List<CompletableFuture<Optional<StatsDocument>>> reads = pods.stream().filter(StatsClient::running)
                .map(pod -> read(pod, token)).toList();
        return reads.stream().map(CompletableFuture::join).flatMap(Optional::stream).collect(Collectors.toSet());
    }

    private CompletableFuture<Optional<StatsDocument>> read(Pod pod, Optional<String> token) {
        URI uri = uri(pod, "/stats");
        return http.sendAsync(request(uri, token).GET().build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    try {
                        if (response.statusCode() != 200) {
                            throw new IOException("HTTP " + response.statusCode());
                        }
                        StatsDocument stats = JSON.readValue(response.body(), StatsDocument.class);
                        if (!Objects.equals(stats.pod().uid(), pod.getMetadata().getUid())) {
                            throw new IOException("it reports pod UID " + stats.pod().uid() + " instead of "
                                    + pod.getMetadata().getUid());
                        }
                        works(pod, uri);
                        return Optional.of(stats);
                    } catch (IOException e) {
                        return failed(pod, uri, e);
                    }
                })
                .exceptionally(e -> failed(pod, uri, e));
    }

    /** Tells a pod that its counters up to {@code sequence} are recorded; a draining pod exits once they all are. */
    public void acknowledge(Pod pod, Optional<String> token, long sequence) {
        URI uri = uri(pod, StatsDocument.RECORDED_PATH + "?sequence=" + sequence);
        try {
            HttpResponse<Void> response = http.send(request(uri, token).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("HTTP " + response.statusCode());
            }
            LOG.info("told draining gateway pod {} that its call counts up to sequence {} are recorded",
                    pod.getMetadata().getName(), sequence);
        } catch (IOException e) {
            failed(pod, uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpRequest.Builder request(URI uri, Optional<String> token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
        token.ifPresent(secret -> request.header("Authorization", "Bearer " + secret));
        return request;
    }

    private void works(Pod pod, URI uri) {
        if (failing.remove(pod.getMetadata().getUid()) != null) {
            LOG.info("reaching {} works again", uri);
        }
    }

    private Optional<StatsDocument> failed(Pod pod, URI uri, Throwable e) {
        Instant now = Instant.now();
        Instant logged = failing.get(pod.getMetadata().getUid());
        if (logged == null || logged.plus(LOG_AGAIN).isBefore(now)) {
            failing.put(pod.getMetadata().getUid(), now);
            LOG.warn("cannot reach gateway pod {} at {}: {}", pod.getMetadata().getName(), uri, e.toString());
        }
        // Pods that went away while failing are forgotten after a while, so the map does not grow.
        failing.values().removeIf(when -> when.plus(LOG_AGAIN.multipliedBy(6)).isBefore(now));
        return Optional.empty();
    }

    private static URI uri(Pod pod, String path) {
        return URI.create("http://" + pod.getStatus().getPodIP() + ":" + adminPort(pod) + path);
    }

    static boolean running(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty();
    }

    /** The container port named admin; the tests' stand-in pods name a free port there. */
    static int adminPort(Pod pod) {
        return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                .filter(p -> ADMIN_PORT_NAME.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElse(ADMIN_PORT);
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
}
