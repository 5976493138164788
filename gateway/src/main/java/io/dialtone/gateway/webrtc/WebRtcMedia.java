package io.dialtone.gateway.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every room peer connection of the process shares: the address its sockets bind to (the one LiveKit reaches
 * the gateway on), the one thread that reads them, the DTLS certificate, and one timer thread for ICE consent.
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
