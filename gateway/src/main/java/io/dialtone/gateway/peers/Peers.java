package io.dialtone.gateway.peers;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The fleet as one gateway sees it at one moment: itself and its peers. A new call belongs to the peer that
 * rendezvous hashing of its Call-ID picks among those taking new calls, so every gateway that receives one of the
 * call's untagged requests (the INVITE, its retransmissions, a CANCEL) sends it to the same place without asking
 * anyone; once answered, the call's own tags say whose it is.
 */
public record Peers(String selfName, List<Peer> all) {
    public Peers {
        all = List.copyOf(all);
    }

    /** A gateway on its own: every request is its own. */
    public static Peers alone(String selfName) {
        return new Peers(selfName, List.of());
    }

    public String selfId() {
        return Peer.idOf(selfName);
    }

    /** Whether there is anyone to forward to. */
    public boolean alone() {
        return all.stream().noneMatch(peer -> !peer.name().equals(selfName));
    }

    public Optional<Peer> byId(String id) {
        return all.stream().filter(peer -> peer.id().equals(id)).findFirst();
    }

    /** Whether a packet from {@code address} comes from a peer's SIP address. */
    public boolean isPeer(InetAddress address) {
        return all.stream().anyMatch(peer -> peer.sip().getAddress().equals(address));
    }

    /** The gateway a new call with this Call-ID belongs to; empty when no peer takes new calls. */
    public Optional<Peer> ownerOfNewCall(String callId) {
        return all.stream().filter(Peer::takesNewCalls)
                .max(Comparator.comparingLong((Peer peer) -> weight(callId, peer.id())).thenComparing(Peer::id));
    }

    private static long weight(String callId, String peerId) {
        return java.nio.ByteBuffer.wrap(Peer.sha256(callId + "\n" + peerId)).getLong();
    }
}
