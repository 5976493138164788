package io.dialtone.gateway.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The SIP stack's TLS listener: takes plain connections through its {@link ConnectionGuard}, so a refused one costs no
 * handshake, and starts TLS over each one it takes. The stack sets protocols, suites and client authentication here
 * as on any TLS listener; they are applied to every connection.
 */
final class GuardedTlsServerSocket extends SSLServerSocket {
    private final ConnectionGuard guard;
    private final SSLContext context;
    private final SSLSocketFactory factory;
    private String[] protocols;
    private String[] suites;
    private boolean needClientAuth;
    private boolean wantClientAuth;
    private boolean sessionCreation = true;

    GuardedTlsServerSocket(int port, int backlog, InetAddress bindAddress, ConnectionGuard guard, SSLContext context)
            throws IOException {
        super(port, backlog, bindAddress);
        this.guard = guard;
        this.context = context;
        this.factory = context.getSocketFactory();
        this.protocols = context.getDefaultSSLParameters().getProtocols();
        this.suites = context.getDefaultSSLParameters().getCipherSuites();
    }

    @Override
    public Socket accept() throws IOException {
        Socket plain = guard.acceptNext(this, () -> {
            GuardedSocket socket = new GuardedSocket();
            implAccept(socket);
            return socket;
        });
        try {
            // Server side: no data was read from the connection before the handshake.
            SSLSocket tls = (SSLSocket) factory.createSocket(plain, null, true);
            synchronized (this) {
                tls.setUseClientMode(false);
                tls.setEnabledProtocols(protocols);
                tls.setEnabledCipherSuites(suites);
                if (needClientAuth) {
                    tls.setNeedClientAuth(true);
                } else {
                    tls.setWantClientAuth(wantClientAuth);
                }
                tls.setEnableSessionCreation(sessionCreation);
            }
            return tls;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    @Override
    public synchronized String[] getEnabledCipherSuites() {
        return suites.clone();
    }

    @Override
    public synchronized void setEnabledCipherSuites(String[] enabled) {
        suites = enabled.clone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return factory.getSupportedCipherSuites();
    }

    @Override
    public String[] getSupportedProtocols() {
        return context.getSupportedSSLParameters().getProtocols();
    }

    @Override
    public synchronized String[] getEnabledProtocols() {
        return protocols.clone();
    }

    @Override
    public synchronized void setEnabledProtocols(String[] enabled) {
        protocols = enabled.clone();
    }

    @Override
    public synchronized void setNeedClientAuth(boolean need) {
        needClientAuth = need;
        wantClientAuth = false;
    }

    @Override
    public synchronized boolean getNeedClientAuth() {
        return needClientAuth;
    }

    @Override
    public synchronized void setWantClientAuth(boolean want) {
        wantClientAuth = want;
        needClientAuth = false;
    }

    @Override
    public synchronized boolean getWantClientAuth() {
        return wantClientAuth;
    }

    @Override
    public void setUseClientMode(boolean clientMode) {
        if (clientMode) {
            throw new IllegalArgumentException("a listener's connections are TLS servers");
        }
    }

    @Override
    public boolean getUseClientMode() {
        return false;
    }

    @Override
    public synchronized void setEnableSessionCreation(boolean enabled) {
        sessionCreation = enabled;
    }

    @Override
    public synchronized boolean getEnableSessionCreation() {
        return sessionCreation;
    }
}
