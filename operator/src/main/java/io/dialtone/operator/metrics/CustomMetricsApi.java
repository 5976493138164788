package io.dialtone.operator.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.dialtone.operator.gateway.GatewayNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the gateways' active calls as {@code custom.metrics.k8s.io/v1beta2}, so the HorizontalPodAutoscaler the
 * operator makes scales on calls without Prometheus or an adapter (docs/operations.md, "Autoscaling on active
 * calls"). The chart registers it with an APIService; the API server authenticates and authorises each client through
 * RBAC, then proxies the request here with its front-proxy client certificate, the only certificate accepted.
 */
public final class CustomMetricsApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CustomMetricsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/apis/" + MetricValueList.GROUP_VERSION;
    private static final Pattern METRIC_PATH = Pattern.compile(
            Pattern.quote(PREFIX) + "/namespaces/([a-z0-9-]{1,63})/pods/([a-z0-9.*-]{1,253})/([A-Za-z0-9_.:-]{1,200})");

    private final HttpsServer server;
    private final ThreadPoolExecutor executor;
    private final FrontProxy frontProxy;
    private final ActiveCalls activeCalls;

    private CustomMetricsApi(HttpsServer server, ThreadPoolExecutor executor, FrontProxy frontProxy,
                             ActiveCalls activeCalls) {
        this.server = server;
        this.executor = executor;
        this.frontProxy = frontProxy;
        this.activeCalls = activeCalls;
    }

    /**
     * Starts serving on {@code port}, trusting the front-proxy CA the API server publishes.
     *
     * @param dnsNames the names of the Service in front of the operator, for its serving certificate
     */
    public static CustomMetricsApi start(KubernetesClient client, int port, List<String> dnsNames)
            throws IOException {
        return start(FrontProxy.read(client), new ActiveCalls(client, Clock.systemUTC()), port, dnsNames);
    }

    static CustomMetricsApi start(FrontProxy frontProxy, ActiveCalls activeCalls, int port, List<String> dnsNames)
            throws IOException {
        SSLContext tls;
        try {
            tls = SSLContext.getInstance("TLSv1.3");
            tls.init(ServingCertificate.make(dnsNames), frontProxy.trust(), new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for the custom metrics API", e);
        }
        HttpsServer server = HttpsServer.create(new InetSocketAddress(port), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setNeedClientAuth(true);
                parameters.setSSLParameters(ssl);
            }
        });
        // The API server is the only client that gets through, with a request per autoscaler every 15 s; a few
        // threads and a short queue are plenty, and anything beyond is refused rather than queued without bound.
        // A connection that holds a thread without finishing its request is closed after
        // OperatorMain.REQUEST_SECONDS.
        ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32),
                runnable -> {
                    Thread thread = new Thread(runnable, "custom-metrics-api");
                    thread.setDaemon(true);
                    return thread;
                });
        server.setExecutor(executor);
        CustomMetricsApi api = new CustomMetricsApi(server, executor, frontProxy, activeCalls);
        server.createContext("/", api::handle);
        server.start();
        LOG.info("custom metrics API {} on https://0.0.0.0:{}/, for the API server's front proxy only (names {})",
                MetricValueList.GROUP_VERSION, api.port(),
                frontProxy.allowedNames().isEmpty() ? "any the front-proxy CA signed" : frontProxy.allowedNames());
        return api;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                answer(exchange);
            } catch (KubernetesClientException e) {
                // Inside the exchange's try: closed first, it could not carry the answer.
                int code = e.getCode() >= 400 ? e.getCode() : 503;
                LOG.warn("custom metrics: cannot list gateway pods: {}", e.getMessage());
                respond(exchange, code, status(code, code == 403 ? "Forbidden" : "ServiceUnavailable",
                        "cannot list gateway pods: " + e.getMessage()));
            }
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        if (!fromFrontProxy(exchange)) {
            respond(exchange, 403, status(403, "Forbidden", "only the API server's front proxy may call this"));
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, status(405, "MethodNotAllowed", "the custom metrics API is read-only"));
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            respond(exchange, 200, resources());
            return;
        }
        Matcher metric = METRIC_PATH.matcher(path);
        if (!metric.matches()) {
            respond(exchange, 404, status(404, "NotFound", "not served here: " + path));
            return;
        }
        if (!metric.group(3).equals(GatewayNames.ACTIVE_CALLS_METRIC)) {
            respond(exchange, 404, status(404, "NotFound", "the metric " + metric.group(3)
                    + " is not served by Dialtone, which serves " + GatewayNames.ACTIVE_CALLS_METRIC));
            return;
        }
        String namespace = metric.group(1);
        String pod = metric.group(2);
        Optional<String> selector = query(exchange, "labelSelector");
        MetricValueList values = activeCalls.read(namespace, pod, selector);
        LOG.debug("custom metrics: {} pods/{} {} selector={}: {} values", namespace, pod, metric.group(3),
                selector.orElse(""), values.items().size());
        if (!"*".equals(pod) && values.items().isEmpty()) {
            // One object asked for: the client wants exactly one value, or to hear there is none.
            respond(exchange, 404, status(404, "NotFound", "no " + GatewayNames.ACTIVE_CALLS_METRIC
                    + " for pod " + namespace + "/" + pod + ": not a gateway pod, or its calls not read yet"));
            return;
        }
        respond(exchange, 200, JSON.writeValueAsBytes(values));
    }

    private boolean fromFrontProxy(HttpExchange exchange) {
        try {
            Certificate[] chain = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate client && frontProxy.allows(client);
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    private static Optional<String> query(HttpExchange exchange, String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return Optional.empty();
        }
        return Arrays.stream(raw.split("&")).map(pair -> pair.split("=", 2))
                .filter(pair -> pair.length == 2 && pair[0].equals(name))
                .map(pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)).findFirst();
    }

    private static byte[] resources() throws IOException {
        return JSON.writeValueAsBytes(Map.of("kind", "APIResourceList", "apiVersion", "v1",
                "groupVersion", MetricValueList.GROUP_VERSION,
                "resources", List.of(Map.of("name", "pods/" + GatewayNames.ACTIVE_CALLS_METRIC, "singularName", "",
                        "namespaced", true, "kind", "MetricValueList", "verbs", List.of("get")))));
    }

    private static byte[] status(int code, String reason, String message) throws IOException {
        return JSON.writeValueAsBytes(Map.of("kind", "Status", "apiVersion", "v1", "metadata", Map.of(),
                "status", "Failure", "message", message, "reason", reason, "code", code));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
