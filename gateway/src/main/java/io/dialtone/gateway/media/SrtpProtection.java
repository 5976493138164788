package io.dialtone.gateway.media;

import io.dialtone.collections.BoundedMaps;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP (RFC 3711) for one call, keyed by SDES: the caller's master key checks and decrypts what it sends,
 * the gateway's protects what the gateway sends. A packet that fails authentication or the replay check is dropped
 * and counted. A crypto context is kept per SSRC only once a packet of that SSRC has authenticated, so a stranger's
 * packets with made-up SSRCs cost a key derivation each but never take room from the caller's streams.
 */
public final class SrtpProtection implements MediaProtection {
    /** Streams kept per direction: a caller's stream may start over with a new SSRC now and then. */
    private static final int STREAMS = 4;
    private static final int SRTCP_TAG_BYTES = 10;

    private final SrtpContextFactory sending;
    private final SrtpContextFactory receiving;
    private final Map<Integer, SrtpCryptoContext> sendingRtp = streams();
    private final Map<Integer, SrtcpCryptoContext> sendingRtcp = streams();
    private final Map<Integer, SrtpCryptoContext> receivingRtp = streams();
    private final Map<Integer, SrtcpCryptoContext> receivingRtcp = streams();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong unsent = new AtomicLong();

    public SrtpProtection(SrtpKeys keys) {
        SrtpPolicy rtp = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, SrtpSuite.KEY_BYTES,
                SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, keys.suite().rtpTagBytes(), SrtpSuite.SALT_BYTES);
        SrtpPolicy rtcp = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, SrtpSuite.KEY_BYTES,
                SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, SRTCP_TAG_BYTES, SrtpSuite.SALT_BYTES);
        LoggerImpl logger = new LoggerImpl(SrtpProtection.class.getName());
        byte[] local = keys.local();
        byte[] remote = keys.remote();
        sending = new SrtpContextFactory(true, Arrays.copyOf(local, SrtpSuite.KEY_BYTES),
                Arrays.copyOfRange(local, SrtpSuite.KEY_BYTES, local.length), rtp, rtcp, logger);
        receiving = new SrtpContextFactory(false, Arrays.copyOf(remote, SrtpSuite.KEY_BYTES),
                Arrays.copyOfRange(remote, SrtpSuite.KEY_BYTES, remote.length), rtp, rtcp, logger);
    }

    private static <V> Map<Integer, V> streams() {
        return BoundedMaps.leastRecentlyUsedFirst(STREAMS);
    }

    /** Makes a stream's crypto context from the master keys. */
    @FunctionalInterface
    private interface Derive<C> {
        C context(int ssrc) throws GeneralSecurityException;
    }

    /** Checks (and decrypts) or protects a packet in place. */
    @FunctionalInterface
    private interface Transform<C> {
        SrtpErrorStatus apply(C context, SrtpBuffer packet) throws GeneralSecurityException;
    }

    @Override
    public synchronized Optional<ByteBuffer> unprotectRtp(ByteBuffer datagram) {
        return unprotect(datagram, 12, 8, receivingRtp, ssrc -> receiving.deriveContext(ssrc, 0),
                (context, packet) -> context.reverseTransformPacket(packet, false));
    }

    @Override
    public synchronized Optional<ByteBuffer> unprotectRtcp(ByteBuffer datagram) {
        return unprotect(datagram, 8 + 4 + SRTCP_TAG_BYTES, 4, receivingRtcp, receiving::deriveControlContext,
                SrtcpCryptoContext::reverseTransformPacket);
    }

    @Override
    public synchronized Optional<ByteBuffer> protectRtp(ByteBuffer packet) {
        return protect(packet, 8, sendingRtp, ssrc -> sending.deriveContext(ssrc, 0),
                SrtpCryptoContext::transformPacket);
    }

    @Override
    public synchronized Optional<ByteBuffer> protectRtcp(ByteBuffer packet) {
        return protect(packet, 4, sendingRtcp, sending::deriveControlContext, SrtcpCryptoContext::transformPacket);
    }

    /**
     * The clear packet, if {@code datagram} passes its stream's checks; a stream's context is kept only once a packet
     * of it has passed.
     */
    private <C> Optional<ByteBuffer> unprotect(ByteBuffer datagram, int shortest, int ssrcAt, Map<Integer, C> streams,
                                               Derive<C> derive, Transform<C> check) {
        if (datagram.remaining() < shortest || (datagram.get(datagram.position()) & 0xC0) != 0x80) {
            return reject();
        }
        int ssrc = datagram.getInt(datagram.position() + ssrcAt);
        try {
            C known = streams.get(ssrc);
            C context = known != null ? known : derive.context(ssrc);
            SrtpBuffer packet = new SrtpBuffer(datagram);
            if (check.apply(context, packet) != SrtpErrorStatus.OK) {
                return reject();
            }
            if (known == null) {
                streams.put(ssrc, context);
            }
            return Optional.of(packet.toByteBuffer());
        } catch (GeneralSecurityException e) {
            return reject();
        }
    }

    private <C> Optional<ByteBuffer> protect(ByteBuffer packet, int ssrcAt, Map<Integer, C> streams,
                                             Derive<C> derive, Transform<C> transform) {
        int ssrc = packet.getInt(packet.position() + ssrcAt);
        SrtpBuffer buffer = new SrtpBuffer(packet);
        try {
            C context = streams.get(ssrc);
            if (context == null) {
                context = derive.context(ssrc);
                streams.put(ssrc, context);
            }
            if (transform.apply(context, buffer) != SrtpErrorStatus.OK) {
                unsent.incrementAndGet();
                return Optional.empty();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES counter mode and HMAC-SHA1 are part of every Java runtime", e);
        }
        return Optional.of(buffer.toByteBuffer());
    }

    @Override
    public long rejected() {
        return rejected.get();
    }

    @Override
    public long unsent() {
        return unsent.get();
    }

    private Optional<ByteBuffer> reject() {
        rejected.incrementAndGet();
        return Optional.empty();
    }
}
