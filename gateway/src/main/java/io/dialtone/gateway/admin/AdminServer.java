package io.dialtone.gateway.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dialtone.stats.StatsDocument;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port: /healthz, /readyz (false while draining), /metrics (Prometheus), /stats (JSON for the operator) and
 * /stats/recorded, where the operator says up to which sequence it has recorded the counts. With a stats token, both
 * /stats paths answer only a request that carries it as a bearer token: the probes and Prometheus need no secret, the
 * call counts per trunk and rule stay the operator's, and nobody else can let a draining pod exit early
 * (docs/security.md).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final HttpServer server;

    /** @param notReady why the gateway should take no calls yet ("draining", "warming up"), or empty when it should */
    public AdminServer(InetSocketAddress address, Supplier<Optional<String>> notReady, PrometheusMeterRegistry metrics,
                       Supplier<Object> stats, LongConsumer recorded, Supplier<Optional<String>> statsToken)
            throws IOException {
        server = HttpServer.create(address, 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "admin-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", exchange -> {
            Optional<String> why = notReady.get();
            respond(exchange, why.isEmpty() ? 200 : 503, "text/plain", why.orElse("ready") + "\n");
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/stats", exchange -> {
            if (authorized(exchange, statsToken)) {
                respond(exchange, 200, "application/json", JSON.writeValueAsString(stats.get()));
            }
        });
        server.createContext(StatsDocument.RECORDED_PATH, exchange -> {
            try (exchange) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().set("Allow", "POST");
                    exchange.sendResponseHeaders(405, -1);
                } else if (authorized(exchange, statsToken)) {
                    OptionalLong sequence = sequence(exchange.getRequestURI().getRawQuery());
                    if (sequence.isEmpty()) {
                        exchange.sendResponseHeaders(400, -1);
                    } else {
                        recorded.accept(sequence.getAsLong());
                        exchange.sendResponseHeaders(204, -1);
                    }
                }
            }
        });
    }

    /** Whether the request carries the stats token, if one is set; answers 401 if not. */
    private static boolean authorized(HttpExchange exchange, Supplier<Optional<String>> statsToken) throws IOException {
        Optional<byte[]> expected = statsToken.get().map(token -> ("Bearer " + token).getBytes(StandardCharsets.UTF_8));
        if (expected.isEmpty() || carries(exchange, expected.get())) {
            return true;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"dialtone-stats\"");
        send(exchange, 401, "text/plain", "/stats needs the gateway's stats token\n");
        return false;
    }

    /** {@code sequence=N}, N a non-negative number; anything else is no sequence. */
    private static OptionalLong sequence(String query) {
        if (query == null || !query.matches("sequence=[0-9]{1,18}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(query.substring("sequence=".length())));
    }

    private static boolean carries(HttpExchange exchange, byte[] expected) {
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        // Constant time: how much of a guess was right must not show in how long the answer took.
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected);
    }

    public void start() {
        server.start();
        LOG.info("admin endpoints on http://{}:{}/ (healthz, readyz, metrics, stats)",
                server.getAddress().getHostString(), server.getAddress().getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers a GET or HEAD; any other method gets 405. */
    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            try (exchange) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
            }
            return;
        }
        send(exchange, status, type, body);
    }

    /** The response, its body left out for HEAD. */
    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, "HEAD".equals(exchange.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(exchange.getRequestMethod())) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
