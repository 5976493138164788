package io.dialtone.gateway.media;

import java.nio.ByteBuffer;
import java.util.Optional;

/** How a call's media is carried on the wire: plain RTP, or SRTP keyed by SDES. */
public sealed interface MediaProtection permits MediaProtection.Plain, SrtpProtection {

    /** The clear RTP packet in {@code datagram}, or empty when it fails authentication (the caller drops it). */
    Optional<ByteBuffer> unprotectRtp(ByteBuffer datagram);

    /** The clear RTCP compound packet in {@code datagram}, or empty when it fails authentication. */
    Optional<ByteBuffer> unprotectRtcp(ByteBuffer datagram);

    /**
     * {@code packet} (a clear RTP packet) as it goes on the wire, or empty when it may not be sent: SRTP refuses a
     * sequence number it has protected before, and the clear packet must never go out instead.
     */
    Optional<ByteBuffer> protectRtp(ByteBuffer packet);

    /** {@code packet} (a clear RTCP compound packet) as it goes on the wire, or empty when it may not be sent. */
    Optional<ByteBuffer> protectRtcp(ByteBuffer packet);

    /** Packets dropped because they failed authentication or replay checks. */
    long rejected();

    /** Packets of the gateway's own not sent because SRTP refused to protect them. */
    long unsent();

    static MediaProtection of(Optional<SrtpKeys> keys) {
        return keys.<MediaProtection>map(SrtpProtection::new).orElse(PLAIN);
    }

    MediaProtection PLAIN = new Plain();

    /** Plain RTP: packets as they are. */
    record Plain() implements MediaProtection {
        @Override
        public Optional<ByteBuffer> unprotectRtp(ByteBuffer datagram) {
            return Optional.of(datagram);
        }

        @Override
        public Optional<ByteBuffer> unprotectRtcp(ByteBuffer datagram) {
            return Optional.of(datagram);
        }

        @Override
        public Optional<ByteBuffer> protectRtp(ByteBuffer packet) {
            return Optional.of(packet);
        }

        @Override
        public Optional<ByteBuffer> protectRtcp(ByteBuffer packet) {
            return Optional.of(packet);
        }

        @Override
        public long rejected() {
            return 0;
        }

        @Override
        public long unsent() {
            return 0;
        }
    }
}
