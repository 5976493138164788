package io.dialtone.gateway.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/** An accepted connection that gives its place back to its {@link ConnectionGuard} when it closes, once. */
final class GuardedSocket extends Socket {
    private ConnectionGuard guard;
    private InetAddress source;

    /** Counts this connection against {@code holder} until it closes. */
    synchronized void heldBy(ConnectionGuard holder) {
        guard = holder;
        source = getInetAddress();
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            ConnectionGuard held;
            synchronized (this) {
                held = guard;
                guard = null;
            }
            if (held != null) {
                held.release(source);
            }
        }
    }
}
