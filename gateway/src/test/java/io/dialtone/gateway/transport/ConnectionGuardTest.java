package io.dialtone.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The guard in front of a real listening socket on loopback: who gets in, and that a closed place is given back. */
class ConnectionGuardTest {
    private static final InetAddress STRANGER = address("127.0.0.2");
    private final ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(Duration.ofMinutes(2), 3, 2,
            Duration.ofSeconds(5), 65536), source -> !source.equals(STRANGER));
    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final List<Socket> clients = new ArrayList<>();
    private GuardedServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void listen() throws IOException {
        server = new GuardedServerSocket(0, 50, InetAddress.getLoopbackAddress(), guard);
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (IOException closed) {
                // The test is over.
            }
        });
        acceptor.start();
    }

    @AfterEach
    void close() throws Exception {
        server.close();
        acceptor.join();
        for (Socket socket : clients) {
            socket.close();
        }
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Test
    void strangersAndConnectionsOverACapAreClosedAsTheyArrive() throws Exception {
        assertThat(connect("127.0.0.2").getInputStream().read()).as("a stranger").isEqualTo(-1);
        Socket first = take(connect("127.0.0.1"));
        take(connect("127.0.0.1"));
        assertThat(connect("127.0.0.1").getInputStream().read()).as("a third from one source").isEqualTo(-1);
        take(connect("127.0.0.3"));
        assertThat(connect("127.0.0.4").getInputStream().read()).as("a fourth in all").isEqualTo(-1);
        assertThat(guard.open()).isEqualTo(3);
        assertThat(guard.refused(ConnectionGuard.Refusal.UNKNOWN_SOURCE)).isEqualTo(1);
        assertThat(guard.refused(ConnectionGuard.Refusal.SOURCE_FULL)).isEqualTo(1);
        assertThat(guard.refused(ConnectionGuard.Refusal.FULL)).isEqualTo(1);
        assertThat(first.getSoTimeout()).as("the idle timeout").isEqualTo(120_000);

        first.close();
        first.close();
        assertThat(guard.open()).as("a place given back once").isEqualTo(2);
        take(connect("127.0.0.1"));
        assertThat(guard.open()).isEqualTo(3);
    }

    private Socket connect(String from) throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(server.getLocalSocketAddress(), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** The server's side of {@code client}, once the guard has taken it. */
    private Socket take(Socket client) throws InterruptedException {
        Socket taken = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(taken).as("accepted").isNotNull();
        assertThat(taken.getPort()).isEqualTo(client.getLocalPort());
        return taken;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
