package io.dialtone.gateway.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The SIP stack's TCP listener: hands it only the connections its {@link ConnectionGuard} takes. */
final class GuardedServerSocket extends ServerSocket {
    private final ConnectionGuard guard;

    GuardedServerSocket(int port, int backlog, InetAddress bindAddress, ConnectionGuard guard) throws IOException {
        super(port, backlog, bindAddress);
        this.guard = guard;
    }

    @Override
    public Socket accept() throws IOException {
        return guard.acceptNext(this, () -> {
            GuardedSocket socket = new GuardedSocket();
            implAccept(socket);
            return socket;
        });
    }
}
