package io.dialtone.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.operator.metrics.CustomMetricsStarter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dialtone-operator", mixinStandardHelpOptions = true, version = "dialtone-operator 0.1.0",
        description = "Reconciles SipGateway, SipTrunk and DispatchRule resources into gateway pods and writes "
                + "their status with call counts. Uses the in-cluster service account, or KUBECONFIG outside a cluster.")
public final class OperatorMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

    @Option(names = "--namespace", paramLabel = "NAMESPACE",
            description = "Watch only this namespace. Repeatable. Default: all namespaces.")
    List<String> namespaces = List.of();

    @Option(names = "--gateway-image", defaultValue = "${env:DIALTONE_GATEWAY_IMAGE:-dialtone/gateway:0.1.0}",
            paramLabel = "IMAGE", description = "Image of gateway pods whose SipGateway names none. Default: ${DEFAULT-VALUE}.")
    String gatewayImage;

    @Option(names = "--stats-interval", defaultValue = "3s", paramLabel = "DURATION",
            description = "How often gateway pods' /stats are read for call counts. Default: ${DEFAULT-VALUE}.")
    String statsInterval;

    @Option(names = "--leader-election-namespace", paramLabel = "NAMESPACE",
            description = "Run with leader election, its Lease in this namespace, so that several replicas can run "
                    + "and one acts. Default: POD_NAMESPACE in a pod, none outside.")
    String leaseNamespace = System.getenv("POD_NAMESPACE");

    @Option(names = "--health-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Port of /healthz, /readyz and /metrics. Default: ${DEFAULT-VALUE}.")
    int healthPort;

    @Option(names = "--custom-metrics-port", defaultValue = "0", paramLabel = "PORT",
            description = "Serve the gateways' active calls as custom.metrics.k8s.io/v1beta2 over HTTPS on this port, "
                    + "for the API server's front proxy (the chart registers the APIService). 0: off. "
                    + "Default: ${DEFAULT-VALUE}.")
    int customMetricsPort;

    @Option(names = "--custom-metrics-host", defaultValue = "localhost", paramLabel = "NAME",
            description = "The name the custom metrics API is reached by (its Service), for its serving certificate. "
                    + "Default: ${DEFAULT-VALUE}.")
    String customMetricsHost;

    /**
     * A client of the operator's HTTP servers that connects and does not finish its request, or take its answer, in
     * this many seconds is cut off, so that a few idle connections cannot hold every thread.
     */
    static final String REQUEST_SECONDS = "10";

    public static void main(String[] args) {
        // Read by the JDK's HTTP server once, when the first server is made.
        System.setProperty("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        System.setProperty("sun.net.httpserver.maxRspTime", REQUEST_SECONDS);
        System.exit(new CommandLine(new OperatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        KubernetesClient client = new KubernetesClientBuilder().build();
        CountDownLatch stop = new CountDownLatch(1);
        try (DialtoneOperator operator = new DialtoneOperator(client, new DialtoneOperator.Settings(
                new LinkedHashSet<>(namespaces), gatewayImage, Durations.parse(statsInterval),
                leaseNamespace), metrics)) {
            HttpServer server = HttpServer.create(new InetSocketAddress(healthPort), 16);
            server.createContext("/healthz", e -> respond(e, operator.healthy() ? 200 : 503, "ok\n"));
            server.createContext("/readyz", e -> respond(e, 200, "ok\n"));
            server.createContext("/metrics", e -> respond(e, 200, metrics.scrape()));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "operator-shutdown"));
            operator.start();
            LOG.info("health and metrics on http://0.0.0.0:{}/ (healthz, readyz, metrics)", healthPort);
            Optional<CustomMetricsStarter> customMetrics = customMetricsPort == 0 ? Optional.empty()
                    : Optional.of(new CustomMetricsStarter(client, customMetricsPort, List.of(customMetricsHost)));
            stop.await();
            LOG.info("stopping");
            customMetrics.ifPresent(CustomMetricsStarter::close);
            server.stop(0);
        } finally {
            client.close();
        }
        return 0;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

}
