package io.dialtone.gateway.transport;

import io.dialtone.gateway.log.LogBudget;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which TCP and TLS connections a gateway takes, and counts those it holds. Each connection the SIP stack
 * takes costs it two threads until it closes, so a stranger must not be able to open them at will: a connection from
 * an address no trunk admits is closed at once, and the rest are held to a total and a per-source cap. A connection
 * on which nothing arrives for the idle timeout is closed by its socket's read timeout.
 */
public final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /**
     * The caps, the idle timeout after which a silent connection is closed, and what the SIP stack itself enforces
     * on a connection: the read timeout within a message (and for a TLS handshake) and the largest message.
     */
    public record Limits(Duration idleTimeout, int max, int maxPerSource, Duration readTimeout, int maxMessageBytes) {
        public Limits {
            if (idleTimeout.toMillis() < 1 || idleTimeout.toMillis() > Integer.MAX_VALUE || max < 1
                    || maxPerSource < 1 || readTimeout.toMillis() < 1 || maxMessageBytes < 1) {
                throw new IllegalArgumentException("connection limits must be positive: " + idleTimeout + ", " + max
                        + ", " + maxPerSource + ", " + readTimeout + ", " + maxMessageBytes);
            }
        }
    }

    /** Why a connection was closed as it arrived; the metric's tag. */
    public enum Refusal {
        UNKNOWN_SOURCE("unknown_source"), FULL("full"), SOURCE_FULL("source_full");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** Accepts one connection from a listening socket. */
    @FunctionalInterface
    interface Acceptor {
        GuardedSocket accept() throws IOException;
    }

    private final Limits limits;
    private final Predicate<InetAddress> mayConnect;
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private int open;
    private final Map<Refusal, AtomicLong> refused = new java.util.EnumMap<>(Refusal.class);
    private final Map<Refusal, LogBudget> logBudgets = new java.util.EnumMap<>(Refusal.class);
    private final LogBudget acceptFailures = new LogBudget(1, Duration.ofMinutes(1), System::nanoTime);
    private static final long ACCEPT_RETRY_MILLIS = 100;

    /** @param mayConnect whether a source address could send requests a trunk admits (read for each connection) */
    public ConnectionGuard(Limits limits, Predicate<InetAddress> mayConnect) {
        this.limits = limits;
        this.mayConnect = mayConnect;
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, new AtomicLong());
            logBudgets.put(refusal, new LogBudget(1, Duration.ofMinutes(1), System::nanoTime));
        }
    }

    public Limits limits() {
        return limits;
    }

    /** Connections held now. */
    public synchronized int open() {
        return open;
    }

    public long refused(Refusal why) {
        return refused.get(why).get();
    }

    /**
     * The next connection this guard takes from {@code acceptor}, with its idle timeout set; those it refuses are
     * closed here and counted, and the wait goes on.
     */
    Socket acceptNext(ServerSocket listener, Acceptor acceptor) throws IOException {
        while (true) {
            GuardedSocket socket;
            try {
                socket = acceptor.accept();
            } catch (IOException failed) {
                throw acceptFailed(listener, failed);
            }
            InetAddress source = socket.getInetAddress();
            Optional<Refusal> refusal = take(source);
            if (refusal.isEmpty()) {
                socket.heldBy(this);
                try {
                    socket.setSoTimeout((int) limits.idleTimeout().toMillis());
                    socket.setTcpNoDelay(true);
                } catch (IOException gone) {
                    socket.close();
                    continue;
                }
                return socket;
            }
            count(refusal.get(), source);
            socket.close();
        }
    }

    /**
     * What an accept that failed on an open listener (out of file descriptors, say) throws: after a pause, since the
     * stack's listener accepts again at once and would spin, and as a plain IOException, since a SocketException
     * ends that listener for good. A closed listener's failure ends it, as it should.
     */
    private IOException acceptFailed(ServerSocket listener, IOException failed) {
        if (listener.isClosed()) {
            return failed;
        }
        acceptFailures.take().ifPresent(line -> LOG.warn("event=accept_failed error=\"{}\" unlogged={} why=\"the "
                + "listener goes on after a pause\"", failed.toString(), line.suppressed()));
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return new IOException("accepting a connection failed: " + failed.getMessage(), failed);
    }

    /** Counts the connection in, or says why it may not be. */
    private synchronized Optional<Refusal> take(InetAddress source) {
        if (!mayConnect.test(source)) {
            return Optional.of(Refusal.UNKNOWN_SOURCE);
        }
        if (open >= limits.max()) {
            return Optional.of(Refusal.FULL);
        }
        int fromSource = bySource.getOrDefault(source, 0);
        if (fromSource >= limits.maxPerSource()) {
            return Optional.of(Refusal.SOURCE_FULL);
        }
        bySource.put(source, fromSource + 1);
        open++;
        return Optional.empty();
    }

    synchronized void release(InetAddress source) {
        open--;
        bySource.compute(source, (address, count) -> count == null || count <= 1 ? null : count - 1);
    }

    private void count(Refusal refusal, InetAddress source) {
        refused.get(refusal).incrementAndGet();
        logBudgets.get(refusal).take().ifPresent(line -> LOG.warn("event=connection_refused why={} source={} open={} "
                + "limits=\"{} in all, {} per source\" unlogged={} note=\"logged at most once a minute for each "
                + "reason; all are counted in dialtone_gateway_sip_connections_refused_total\"", refusal.tag(),
                source.getHostAddress(), open(), limits.max(), limits.maxPerSource(), line.suppressed()));
    }
}
