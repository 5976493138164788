package io.dialtone.gateway.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every room peer connection of the process shares: the address its candidates name (the one this host
 * reaches LiveKit from), the one thread that reads every socket, the DTLS certificate, and one timer thread for ICE
 * consent and data channel resends. Made on the first bridged call, so a gateway that never bridges starts none of it.
 */
public final class WebRtcMedia implements AutoCloseable {
    private final InetAddress address;
    private final MediaSockets sockets;
    private final DtlsIdentity identity = DtlsIdentity.generate();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "webrtc-timers");
        thread.setDaemon(true);
        return thread;
    });

    public WebRtcMedia(InetAddress address) throws IOException {
        this.address = address;
        this.sockets = new MediaSockets();
    }

    /**
     * For the LiveKit at {@code url}: candidates name the address the routing table picks toward its host (a route
     * lookup; nothing is sent).
     */
    public static WebRtcMedia towards(String url) throws IOException {
        String host = java.net.URI.create(url).getHost();
        if (host == null) {
            throw new IOException("the LiveKit URL " + url + " names no host");
        }
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.connect(new java.net.InetSocketAddress(InetAddress.getByName(host), 9));
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IOException("no route from this host to LiveKit's " + host);
            }
            return new WebRtcMedia(local);
        }
    }

    /** A new peer connection's transport; see {@link PeerTransport#open}. */
    public PeerTransport transport(String name, boolean controlling, java.util.function.Consumer<java.nio.ByteBuffer> rtp,
                                   DataChannels.Listener data) throws IOException {
        return PeerTransport.open(name, address, controlling, sockets, rtp, data);
    }

    public DtlsIdentity identity() {
        return identity;
    }

    public ScheduledExecutorService timers() {
        return timers;
    }

    @Override
    public void close() throws IOException {
        timers.shutdownNow();
        sockets.close();
    }
}
