package io.dialtone.gateway.webrtc;

import io.dialtone.gateway.media.MediaProtection;
import io.dialtone.gateway.media.SrtpProtection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.DTLSTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection's transport to LiveKit: a UDP socket on the gateway's media address carrying ICE, DTLS and
 * SRTP together (bundled and RTCP-muxed, as LiveKit always negotiates), sorted by their first byte (RFC 7983).
 * SRTP is accepted only from the pair ICE chose and only once DTLS has keyed it; everything else is dropped.
 */
public final class PeerTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
    private static final long CHECK_INTERVAL_MILLIS = 50;
    /** How often data channels resend what is unacknowledged; ICE consent goes every fourth tick (2 s). */
    private static final long TICK_MILLIS = 500;
    private static final int TICKS_PER_CONSENT = 4;

    private final String name;
    private final DatagramChannel channel;
    private final InetAddress advertised;
    private final IceAgent ice;
    private final QueuedDatagrams dtls;
    private final Consumer<ByteBuffer> rtp;
    private final DataChannels.Listener data;
    private final Object dtlsSending = new Object();
    private final Object dtlsReading = new Object();
    /** Where DTLS application data is read into, one buffer per reading thread. */
    private static final ThreadLocal<byte[]> DTLS_RECEIVED = ThreadLocal.withInitial(() -> new byte[1500]);
    private volatile DTLSTransport dtlsTransport;
    private volatile DataChannels channels;
    private int ticks;
    private volatile MediaProtection srtp;
    private volatile InetSocketAddress remote;
    private volatile ScheduledFuture<?> consent;
    private volatile boolean closed;

    private PeerTransport(String name, DatagramChannel channel, InetAddress advertised, boolean controlling,
                          Consumer<ByteBuffer> rtp, DataChannels.Listener data) {
        this.name = name;
        this.channel = channel;
        this.advertised = advertised;
        this.ice = new IceAgent(IceAgent.Credentials.random(), controlling);
        this.rtp = rtp;
        this.data = data;
        this.dtls = new QueuedDatagrams(this::sendDtls);
    }

    /**
     * Binds a socket on every address (LiveKit may answer from any of its own, and ICE finds the pair that works)
     * and names {@code advertised} in its candidate.
     *
     * @param controlling whether this side offers (and so nominates the ICE pair)
     * @param rtp         takes each clear RTP packet from LiveKit, on the sockets' thread; it must copy what it keeps
     * @param data        takes each data channel message, on the sockets' thread
     */
    public static PeerTransport open(String name, InetAddress advertised, boolean controlling, MediaSockets sockets,
                                     Consumer<ByteBuffer> rtp, DataChannels.Listener data) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.bind(new InetSocketAddress(0));
            PeerTransport transport = new PeerTransport(name, channel, advertised, controlling, rtp, data);
            sockets.register(channel, transport::datagram);
            return transport;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public IceAgent.Credentials credentials() {
        synchronized (ice) {
            return ice.local();
        }
    }

    /**
     * A later description of the same connection (LiveKit's offer of new tracks, or of an ICE restart after its
     * signalling resumed): its candidates are added, and new credentials restart ICE with new ones of this side's,
     * which the answer then carries. Call it before building that answer.
     */
    public void renegotiated(RemoteDescription description) {
        synchronized (ice) {
            boolean restarted = ice.remote().filter(known -> !known.equals(description.credentials())).isPresent();
            if (restarted) {
                ice.restart(IceAgent.Credentials.random(), description.credentials());
                LOG.info("event=webrtc_ice_restart transport={}", name);
            }
            description.candidates().forEach(ice::candidate);
        }
    }

    /** The host candidate: the advertised address and the socket's port. */
    public InetSocketAddress candidateAddress() throws IOException {
        return new InetSocketAddress(advertised, ((InetSocketAddress) channel.getLocalAddress()).getPort());
    }

    /** A candidate LiveKit trickled. */
    public void candidate(InetSocketAddress address) {
        synchronized (ice) {
            ice.candidate(address);
        }
    }

    /**
     * Checks LiveKit's candidates until ICE chooses a pair, then runs DTLS and keys SRTP; blocks until that is done.
     *
     * @param answering whether LiveKit offered (then this side answered a=setup:active and is the DTLS client)
     * @throws IOException when no pair is chosen or DTLS fails within the timeout
     */
    public void connect(RemoteDescription description, boolean answering, DtlsIdentity identity,
                        ScheduledExecutorService timers, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (ice) {
            ice.remote(description.credentials());
            description.candidates().forEach(ice::candidate);
        }
        while (remote == null) {
            if (closed) {
                throw new IOException(name + ": closed while connecting");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + ": no ICE pair within " + timeoutMillis + " ms");
            }
            sendChecks();
            try {
                Thread.sleep(CHECK_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(name + ": interrupted while connecting");
            }
        }
        // The pair just chosen, nominated at once (controlling) or checked back (controlled).
        sendChecks();
        consent = timers.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        DtlsSrtp.Role role = answering || description.setup().equals("passive") ? DtlsSrtp.Role.CLIENT
                : DtlsSrtp.Role.SERVER;
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        DtlsSrtp.Established established = DtlsSrtp.handshake(role, identity, description.fingerprint(), dtls,
                (int) Math.min(Integer.MAX_VALUE, left));
        channels = new DataChannels(this::sendSctp, role == DtlsSrtp.Role.CLIENT, data);
        dtlsTransport = established.transport();
        srtp = new SrtpProtection(established.keys());
        // What came after the handshake's last record and before the line above (LiveKit's SCTP INIT, often) waits
        // in the queue: read it now rather than on LiveKit's resend a second later.
        readDtls(established.transport());
        LOG.debug("event=webrtc_connected transport={} remote={} dtls={}", name, remote, role);
    }

    /** The connection's data channels; present once {@link #connect} returned. */
    public Optional<DataChannels> dataChannels() {
        return Optional.ofNullable(channels);
    }

    /** Protects and sends one clear RTP packet; dropped until the transport is connected. */
    public void sendRtp(ByteBuffer packet) {
        MediaProtection protection = srtp;
        InetSocketAddress to = remote;
        if (protection == null || to == null || closed) {
            return;
        }
        protection.protectRtp(packet).ifPresent(wire -> send(wire, to));
    }

    private void tick() {
        DataChannels open = channels;
        if (open != null) {
            open.tick();
        }
        if (++ticks % TICKS_PER_CONSENT == 0) {
            sendChecks();
        }
    }

    private void sendSctp(byte[] packet) {
        DTLSTransport transport = dtlsTransport;
        if (transport == null || closed) {
            return;
        }
        synchronized (dtlsSending) {
            try {
                transport.send(packet, 0, packet.length);
            } catch (IOException e) {
                LOG.debug("event=webrtc_sctp_send_failed transport={} error=\"{}\"", name, e.toString());
            }
        }
    }

    /**
     * Application data of an established DTLS connection: SCTP packets for the data channels. The sockets' thread
     * reads, and the connecting thread once; BouncyCastle's reads must not overlap.
     */
    private void readDtls(DTLSTransport transport) {
        synchronized (dtlsReading) {
            readDtlsNow(transport);
        }
    }

    private void readDtlsNow(DTLSTransport transport) {
        try {
            // BouncyCastle reads from the queue the record was just put in; a wait of 0 would mean forever.
            byte[] received = DTLS_RECEIVED.get();
            for (int read; (read = transport.receive(received, 0, received.length, 1)) >= 0; ) {
                DataChannels open = channels;
                if (open != null) {
                    open.receive(java.util.Arrays.copyOf(received, read));
                }
            }
        } catch (IOException e) {
            LOG.debug("event=webrtc_dtls_closed transport={} error=\"{}\"", name, e.toString());
        }
    }

    private void sendChecks() {
        List<IceAgent.Outgoing> checks;
        synchronized (ice) {
            checks = ice.checks();
        }
        checks.forEach(check -> send(ByteBuffer.wrap(check.datagram()), check.to()));
    }

    private void sendDtls(byte[] datagram, int offset, int length) throws IOException {
        InetSocketAddress to = remote;
        if (to == null) {
            throw new IOException(name + ": no ICE pair to send DTLS on");
        }
        channel.send(ByteBuffer.wrap(datagram, offset, length), to);
    }

    private void send(ByteBuffer datagram, InetSocketAddress to) {
        try {
            channel.send(datagram, to);
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("event=webrtc_send_failed transport={} to={} error=\"{}\"", name, to, e.toString());
            }
        }
    }

    /** On the sockets' thread. */
    private void datagram(ByteBuffer datagram, InetSocketAddress from) {
        if (!datagram.hasRemaining()) {
            return;
        }
        int first = datagram.get(datagram.position()) & 0xFF;
        if (first < 4) {
            Optional<IceAgent.Outgoing> answer;
            synchronized (ice) {
                answer = ice.received(datagram, from, System.nanoTime());
                ice.selected().ifPresent(pair -> remote = pair);
            }
            answer.ifPresent(out -> send(ByteBuffer.wrap(out.datagram()), out.to()));
        } else if (first >= 20 && first <= 63) {
            if (fromLiveKit(from)) {
                byte[] record = new byte[datagram.remaining()];
                datagram.get(record);
                dtls.offer(record);
                DTLSTransport transport = dtlsTransport;
                if (transport != null) {
                    readDtls(transport);
                }
            }
        } else if (first >= 128 && first <= 191 && fromLiveKit(from)) {
            MediaProtection protection = srtp;
            int payloadType = datagram.remaining() > 1 ? datagram.get(datagram.position() + 1) & 0x7F : 0;
            // RTCP's packet types 192-223 read as payload types 64-95 (RFC 5761 section 4).
            if (protection != null && (payloadType < 64 || payloadType > 95)) {
                ByteBuffer copy = ByteBuffer.allocate(datagram.remaining());
                copy.put(datagram).flip();
                protection.unprotectRtp(copy).ifPresent(rtp);
            }
        }
    }

    /** The chosen pair, or another address LiveKit proved with this connection's credentials. */
    private boolean fromLiveKit(InetSocketAddress from) {
        if (from.equals(remote)) {
            return true;
        }
        synchronized (ice) {
            return ice.validated(from);
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> checks = consent;
        if (checks != null) {
            checks.cancel(false);
        }
        dtls.close();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("event=webrtc_close_failed transport={} error=\"{}\"", name, e.toString());
        }
    }
}
