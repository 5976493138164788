package io.dialtone.gateway.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts what arrives on a call's RTP port: RFC 4733 events become digits, each once for the whole call; the
 * negotiated audio is handed back; anything else, RTP or not, is dropped. Only the caller's packets count (RTP
 * latching): those from the address its SDP declares, or, until one of those arrives, from the first source (address
 * and port) heard on the declared host or the host its INVITE came from (a caller behind NAT sends from a port its
 * SDP cannot know). The SSRC is not part of the latch: a caller's stream may start over with a new one (after hold,
 * a transfer, music on hold), which the jitter buffer checks instead. Packets from anywhere else are dropped and
 * counted, so a stranger who finds the port can neither press digits into the call nor disturb its audio. A
 * re-INVITE that moves the caller's address opens the latch again. On an SRTP call a packet must pass SRTP's
 * authentication before any of this.
 */
public final class CallerRtp {
    private static final Logger LOG = LoggerFactory.getLogger(CallerRtp.class);

    private final String callId;
    private final Supplier<InetSocketAddress> declared;
    private final InetAddress signalling;
    private final MediaProtection protection;
    private final TelephoneEventReceiver events = new TelephoneEventReceiver();
    private Latch latch = new Latch.Open();
    private long foreign;
    private long heard;

    /** What a datagram on the call's RTP port turned out to be. */
    public sealed interface Heard {
        /** The caller's audio, in the negotiated payload type. */
        record Audio(RtpPacket packet) implements Heard { }

        /** Something else from the caller (an RFC 4733 event, another payload type): a sign of life. */
        record Other() implements Heard { }

        /** Not the caller's, or not RTP: dropped. */
        record Dropped() implements Heard { }
    }

    private static final Heard OTHER = new Heard.Other();
    private static final Heard DROPPED = new Heard.Dropped();

    /** Whose packets the call takes. */
    private sealed interface Latch {
        /** Nothing heard yet. */
        record Open() implements Latch { }

        /** The declared address was heard: only it counts, with whatever SSRC it uses. */
        record Declared() implements Latch { }

        /** Another source on the caller's hosts was heard first: it counts until the declared address is heard. */
        record First(SocketAddress source) implements Latch { }
    }

    /**
     * @param declared   the address the caller's SDP declares, read for every packet (a re-INVITE may move it)
     * @param signalling the address the caller's INVITE came from
     * @param protection SRTP, whose authentication a packet must pass first, or plain RTP
     */
    public CallerRtp(String callId, Supplier<InetSocketAddress> declared, InetAddress signalling,
                     MediaProtection protection) {
        this.callId = callId;
        this.protection = protection;
        this.declared = declared;
        this.signalling = signalling;
    }

    /**
     * @param from      where the datagram came from
     * @param eventType the negotiated telephone-event payload type, or null when the caller offered none
     * @param audioType the negotiated audio payload type
     */
    public synchronized Heard read(SocketAddress from, ByteBuffer datagram, int audioType, Integer eventType,
                                   Consumer<Character> digits) {
        try {
            // Whose it may be first: decrypting costs a key derivation for each new SSRC, and only the caller's
            // packets are worth it. Then it must authenticate before it may latch.
            if (!mayBeCallers(from)) {
                countForeign(from, RtpPacket.parse(datagram).ssrc());
                return DROPPED;
            }
            Optional<ByteBuffer> clear = protection.unprotectRtp(datagram);
            if (clear.isEmpty()) {
                return DROPPED;
            }
            RtpPacket packet = RtpPacket.parse(clear.get());
            if (!fromCaller(from, packet.ssrc())) {
                return DROPPED;
            }
            heard++;
            if (packet.payloadType() == audioType) {
                return new Heard.Audio(packet);
            }
            if (eventType != null && packet.payloadType() == eventType) {
                events.receive(packet).forEach(digits);
            }
            return OTHER;
        } catch (RtpPacket.MalformedPacketException notRtp) {
            LOG.debug("call={} dropped a datagram on its RTP port: {}", callId, notRtp.getMessage());
            return DROPPED;
        }
    }

    /**
     * True for a well-formed RTCP compound packet from one of the caller's hosts (the declared one, or the one its
     * INVITE came from): the caller's sign of life while it sends no RTP. Anything else on the RTCP port is dropped.
     */
    public boolean isCallersReport(SocketAddress from, ByteBuffer datagram) {
        return from instanceof InetSocketAddress source && isCallersHost(source.getAddress())
                && protection.unprotectRtcp(datagram).filter(RtcpCompound::isValid).isPresent();
    }

    private boolean isCallersHost(InetAddress host) {
        return host.equals(declared.get().getAddress()) || host.equals(signalling);
    }

    /** The caller's SDP moved its address: the next packet from the caller's hosts latches again. */
    public synchronized void reopen() {
        latch = new Latch.Open();
    }

    /** RTP packets taken as the caller's. */
    public synchronized long heardPackets() {
        return heard;
    }

    /** Packets dropped because they failed SRTP's authentication or replay check. */
    public long unauthenticatedPackets() {
        return protection.rejected();
    }

    /** RTP packets dropped because they came from someone other than the caller. */
    public synchronized long foreignPackets() {
        return foreign;
    }

    private boolean fromCaller(SocketAddress from, long ssrc) {
        InetSocketAddress expected = declared.get();
        if (from.equals(expected)) {
            if (!(latch instanceof Latch.Declared)) {
                LOG.info("event=rtp_latched call={} source={} declared=true", callId, from);
                latch = new Latch.Declared();
            }
            return true;
        }
        if (latch instanceof Latch.Open && from instanceof InetSocketAddress source
                && isCallersHost(source.getAddress())) {
            LOG.info("event=rtp_latched call={} source={} declared=false ssrc={}", callId, from, ssrc);
            latch = new Latch.First(from);
            return true;
        }
        if (latch instanceof Latch.First first && first.source().equals(from)) {
            return true;
        }
        countForeign(from, ssrc);
        return false;
    }

    /** What {@link #fromCaller} would take, without latching. */
    private boolean mayBeCallers(SocketAddress from) {
        if (from.equals(declared.get())) {
            return true;
        }
        if (latch instanceof Latch.First first) {
            return first.source().equals(from);
        }
        return latch instanceof Latch.Open && from instanceof InetSocketAddress source
                && isCallersHost(source.getAddress());
    }

    private void countForeign(SocketAddress from, long ssrc) {
        if (foreign++ == 0) {
            LOG.warn("event=rtp_foreign call={} source={} ssrc={} why=\"not the caller's address or stream; dropped"
                    + " (and every later one, counted)\"", callId, from, ssrc);
        }
    }
}
