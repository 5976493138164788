package io.dialtone.operator.metrics;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the custom metrics API and, while it cannot (the front-proxy CA not readable yet: an API server restarting,
 * a RoleBinding applied after the operator), tries again every {@link #RETRY}, saying why each time. Reconciling goes
 * on meanwhile: an autoscaler on CPU, or on an adapter's metric, does not need it.
 */
public final class CustomMetricsStarter implements AutoCloseable {
    static final Duration RETRY = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(CustomMetricsStarter.class);

    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "custom-metrics-start");
        thread.setDaemon(true);
        return thread;
    });
    private final KubernetesClient client;
    private final int port;
    private final List<String> dnsNames;
    /** Written and read on the retry thread only, and by close() once that thread has stopped. */
    private Optional<CustomMetricsApi> serving = Optional.empty();

    public CustomMetricsStarter(KubernetesClient client, int port, List<String> dnsNames) {
        this.client = client;
        this.port = port;
        this.dnsNames = dnsNames;
        retries.execute(this::attempt);
    }

    private void attempt() {
        try {
            serving = Optional.of(CustomMetricsApi.start(client, port, dnsNames));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.error("not serving custom.metrics.k8s.io yet, so autoscalers on targetActiveCallsPerPod get no values;"
                    + " trying again in {} s: {}", RETRY.toSeconds(), e.getMessage());
            retries.schedule(this::attempt, RETRY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        try {
            retries.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        serving.ifPresent(CustomMetricsApi::close);
    }
}
