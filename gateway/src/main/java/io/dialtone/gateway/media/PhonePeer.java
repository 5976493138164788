package io.dialtone.gateway.media;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The caller's end of a call's RTP, as its signalling describes it: the address its SDP declares (a re-INVITE may
 * move it) and whether the caller has confirmed the answer with its ACK. Nothing is sent before that ACK: until then
 * the address is only what an unauthenticated INVITE claimed, and sending to it would let one INVITE aim the
 * gateway's audio at a third party. Written by the call's loop, read by the media clock.
 */
public final class PhonePeer {
    private volatile InetSocketAddress declared;
    private volatile boolean confirmed;

    public PhonePeer(InetSocketAddress declared) {
        this.declared = declared;
    }

    /** The address of an accepted re-offer. */
    public void declare(InetSocketAddress address) {
        declared = address;
    }

    /** The caller's ACK arrived: from now on its audio may be sent. */
    public void confirm() {
        confirmed = true;
    }

    public InetSocketAddress declared() {
        return declared;
    }

    /** Where the caller's audio goes now: nowhere until the ACK, nor while the caller holds with c=0.0.0.0. */
    public Optional<InetSocketAddress> destination() {
        InetSocketAddress address = declared;
        return confirmed && !address.getAddress().isAnyLocalAddress() ? Optional.of(address) : Optional.empty();
    }
}
