package io.dialtone.gateway.media;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
        return new LinkedHashMap<>(STREAMS, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, V> eldest) {
                return size() > STREAMS;
            }
        };
    }

    @Override
    public synchronized Optional<ByteBuffer> unprotectRtp(ByteBuffer datagram) {
        if (datagram.remaining() < 12 || (datagram.get(datagram.position()) & 0xC0) != 0x80) {
            return reject();
        }
        int ssrc = datagram.getInt(datagram.position() + 8);
        try {
            SrtpCryptoContext known = receivingRtp.get(ssrc);
            SrtpCryptoContext context = known != null ? known : receiving.deriveContext(ssrc, 0);
            SrtpBuffer packet = new SrtpBuffer(datagram);
            if (context.reverseTransformPacket(packet, false) != SrtpErrorStatus.OK) {
                return reject();
            }
            if (known == null) {
                receivingRtp.put(ssrc, context);
            }
            return Optional.of(packet.toByteBuffer());
        } catch (GeneralSecurityException e) {
            return reject();
        }
    }

    @Override
    public synchronized Optional<ByteBuffer> unprotectRtcp(ByteBuffer datagram) {
        if (datagram.remaining() < 8 + 4 + SRTCP_TAG_BYTES || (datagram.get(datagram.position()) & 0xC0) != 0x80) {
            return reject();
        }
        int ssrc = datagram.getInt(datagram.position() + 4);
        try {
            SrtcpCryptoContext known = receivingRtcp.get(ssrc);
            SrtcpCryptoContext context = known != null ? known : receiving.deriveControlContext(ssrc);
            SrtpBuffer packet = new SrtpBuffer(datagram);
            if (context.reverseTransformPacket(packet) != SrtpErrorStatus.OK) {
                return reject();
            }
            if (known == null) {
                receivingRtcp.put(ssrc, context);
            }
            return Optional.of(packet.toByteBuffer());
        } catch (GeneralSecurityException e) {
            return reject();
        }
    }

    @Override
    public synchronized ByteBuffer protectRtp(ByteBuffer packet) {
        int ssrc = packet.getInt(packet.position() + 8);
        SrtpBuffer buffer = new SrtpBuffer(packet);
        try {
            SrtpCryptoContext context = sendingRtp.get(ssrc);
            if (context == null) {
                context = sending.deriveContext(ssrc, 0);
                sendingRtp.put(ssrc, context);
            }
            context.transformPacket(buffer);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES counter mode and HMAC-SHA1 are part of every Java runtime", e);
        }
        return buffer.toByteBuffer();
    }

    @Override
    public synchronized ByteBuffer protectRtcp(ByteBuffer packet) {
        int ssrc = packet.getInt(packet.position() + 4);
        SrtpBuffer buffer = new SrtpBuffer(packet);
        try {
            SrtcpCryptoContext context = sendingRtcp.get(ssrc);
            if (context == null) {
                context = sending.deriveControlContext(ssrc);
                sendingRtcp.put(ssrc, context);
            }
            context.transformPacket(buffer);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES counter mode and HMAC-SHA1 are part of every Java runtime", e);
        }
        return buffer.toByteBuffer();
    }

    @Override
    public long rejected() {
        return rejected.get();
    }

    private Optional<ByteBuffer> reject() {
        rejected.incrementAndGet();
        return Optional.empty();
    }
}
