package io.dialtone.gateway.transport;

import gov.nist.core.net.DefaultNetworkLayer;
import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The SIP stack's sockets (stack property {@code gov.nist.javax.sip.NETWORK_LAYER}): its TCP and TLS listeners take
 * connections through a {@link ConnectionGuard}; the sockets it opens itself are the JDK's. The stack creates this
 * class by reflection, so a server registers its guard and TLS context under its stack's name before it creates the
 * stack; a stack with nothing registered gets no listener.
 */
public final class GuardedNetworkLayer implements NetworkLayer {
    private static final Map<String, Registration> REGISTERED = new ConcurrentHashMap<>();
    /**
     * Connections the kernel queues for the listener to take: the stack asks for its default (50), which a burst of
     * connection attempts overflows, and every attempt over it waits a second for its SYN to be sent again. The
     * kernel caps it at net.core.somaxconn.
     */
    private static final int BACKLOG = 4096;

    private record Registration(ConnectionGuard guard, Optional<SSLContext> tls) {
    }

    private Registration registration;

    public static void register(String stackName, ConnectionGuard guard, Optional<SSLContext> tls) {
        REGISTERED.put(stackName, new Registration(guard, tls));
    }

    public static void unregister(String stackName) {
        REGISTERED.remove(stackName);
    }

    @Override
    public void setSipStack(SipStackImpl stack) {
        registration = REGISTERED.get(stack.getStackName());
    }

    private Registration registration() throws IOException {
        if (registration == null) {
            throw new IOException("no connection guard is registered for this SIP stack");
        }
        return registration;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return new GuardedServerSocket(port, Math.max(backlog, BACKLOG), bindAddress, registration().guard());
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        Registration held = registration();
        SSLContext tls = held.tls().orElseThrow(() -> new IOException("the tls transport has no certificate"));
        return new GuardedTlsServerSocket(port, Math.max(backlog, BACKLOG), bindAddress, held.guard(), tls);
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return DefaultNetworkLayer.SINGLETON.createSocket(address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return DefaultNetworkLayer.SINGLETON.createSocket(address, port, localAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return DefaultNetworkLayer.SINGLETON.createSocket(address, port, localAddress, localPort);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return DefaultNetworkLayer.SINGLETON.createSSLSocket(address, port);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return DefaultNetworkLayer.SINGLETON.createSSLSocket(address, port, localAddress);
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return DefaultNetworkLayer.SINGLETON.createDatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress localAddress) throws SocketException {
        return DefaultNetworkLayer.SINGLETON.createDatagramSocket(port, localAddress);
    }
}
