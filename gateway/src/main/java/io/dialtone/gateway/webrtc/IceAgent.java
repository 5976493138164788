package io.dialtone.gateway.webrtc;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ICE (RFC 8445) for one peer connection with one component and one local host candidate, as the gateway needs
 * against LiveKit: checks to LiveKit's candidates, answers to its checks, and the pair chosen. The controlling side
 * (the offerer: the publisher connection) checks every candidate, takes the first pair whose check succeeds and
 * from then on nominates that pair alone (USE-CANDIDATE), so LiveKit settles on the same one; the controlled side
 * takes the pair LiveKit nominates. Only checks that carry this connection's credentials count; anything else is
 * dropped without an answer. Addresses that proved themselves (an authentic check from them, or an authentic answer
 * of theirs) are remembered, so what LiveKit sends from another of its validated addresses is still its. Not
 * thread-safe: its connection owns it.
 */
final class IceAgent {
    /** More than LiveKit ever offers (one per interface and protocol); beyond it candidates are ignored. */
    static final int MAX_CANDIDATES = 16;
    /** Outstanding checks remembered, so a late answer still counts; older ones are forgotten. */
    private static final int MAX_OUTSTANDING = 64;
    /** Host candidates' type preference 126, local preference 65535, component 1 (RFC 8445 section 5.1.2.1). */
    static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | 255L;
    /** A peer-reflexive candidate's priority, which checks carry (type preference 110). */
    private static final long PEER_REFLEXIVE_PRIORITY = (110L << 24) | (65535L << 8) | 255L;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One side's ICE credentials, as SDP's a=ice-ufrag and a=ice-pwd carry them. */
    record Credentials(String ufrag, String password) {
        static Credentials random() {
            return new Credentials(token(6), token(24));
        }

        private static String token(int bytes) {
            byte[] random = new byte[bytes];
            RANDOM.nextBytes(random);
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random)
                    .replace('-', '+').replace('_', '/');
        }
    }

    /** A datagram to send. */
    record Outgoing(InetSocketAddress to, byte[] datagram) {
    }

    private Credentials local;
    private final boolean controlling;
    private final long tieBreaker = RANDOM.nextLong();
    private final List<InetSocketAddress> candidates = new ArrayList<>();
    private final Map<String, InetSocketAddress> outstanding = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, InetSocketAddress> eldest) {
            return size() > MAX_OUTSTANDING;
        }
    };
    private final java.util.Set<InetSocketAddress> validated = new java.util.HashSet<>();
    private Credentials remote;
    private InetSocketAddress selected;
    private long lastHeard;

    IceAgent(Credentials local, boolean controlling) {
        this.local = local;
        this.controlling = controlling;
    }

    Credentials local() {
        return local;
    }

    Optional<Credentials> remote() {
        return Optional.ofNullable(remote);
    }

    /** The remote description's credentials. */
    void remote(Credentials credentials) {
        remote = credentials;
    }

    /**
     * An ICE restart (RFC 8445 section 9): new credentials on both sides, candidates gathered again, and a pair
     * chosen again; until then the transport keeps sending on the pair it had.
     */
    void restart(Credentials newLocal, Credentials newRemote) {
        local = newLocal;
        remote = newRemote;
        candidates.clear();
        validated.clear();
        outstanding.clear();
        selected = null;
    }

    /** A remote candidate (from the SDP or trickled); duplicates and those past the limit are ignored. */
    void candidate(InetSocketAddress address) {
        if (!candidates.contains(address) && candidates.size() < MAX_CANDIDATES) {
            candidates.add(address);
        }
    }

    Optional<InetSocketAddress> selected() {
        return Optional.ofNullable(selected);
    }

    /** Whether LiveKit proved it is at {@code address} with this connection's credentials. */
    boolean validated(InetSocketAddress address) {
        return validated.contains(address);
    }

    /** When LiveKit was last heard from on the selected pair (a check or its answer), in the caller's clock. */
    long lastHeard() {
        return lastHeard;
    }

    /**
     * The checks due now: to every candidate until a pair is chosen, then to the chosen one alone, which keeps the
     * pair's consent (RFC 7675) and LiveKit's view of it alive.
     */
    List<Outgoing> checks() {
        if (remote == null) {
            return List.of();
        }
        List<InetSocketAddress> targets = selected != null ? List.of(selected) : candidates;
        List<Outgoing> out = new ArrayList<>(targets.size());
        for (InetSocketAddress target : targets) {
            byte[] transaction = new byte[12];
            RANDOM.nextBytes(transaction);
            outstanding.put(HexFormat.of().formatHex(transaction), target);
            out.add(new Outgoing(target, Stun.bindingRequest(transaction, remote.ufrag() + ":" + local.ufrag(),
                    remote.password(), PEER_REFLEXIVE_PRIORITY, controlling, tieBreaker,
                    controlling && target.equals(selected))));
        }
        return out;
    }

    /**
     * A STUN message from {@code from}: the answer to send when it is a check with this connection's credentials
     * (empty otherwise), choosing a pair where the rules say so.
     */
    Optional<Outgoing> received(ByteBuffer datagram, InetSocketAddress from, long now) {
        Optional<Stun.Message> parsed = Stun.parse(datagram);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Stun.Message message = parsed.get();
        if (message.type() == Stun.BINDING_REQUEST) {
            boolean ours = message.username().filter(name -> name.startsWith(local.ufrag() + ":")).isPresent();
            if (!ours || !message.authentic(local.password())) {
                return Optional.empty();
            }
            if (from.equals(selected)) {
                lastHeard = now;
            }
            if (validated.size() < MAX_CANDIDATES) {
                validated.add(from);
            }
            // A source not among the candidates is peer-reflexive (RFC 8445 section 7.3.1.3): checked from now on,
            // since LiveKit may answer from it rather than from the address it signalled.
            candidate(from);
            if (!controlling && message.useCandidate() && selected == null) {
                choose(from, now);
            }
            return Optional.of(new Outgoing(from, Stun.bindingSuccess(message.transactionId(), from,
                    local.password())));
        }
        if (message.type() == Stun.BINDING_SUCCESS && remote != null) {
            InetSocketAddress target = outstanding.remove(HexFormat.of().formatHex(message.transactionId()));
            if (target != null && target.equals(from) && message.authentic(remote.password())) {
                if (validated.size() < MAX_CANDIDATES) {
                    validated.add(from);
                }
                if (from.equals(selected)) {
                    lastHeard = now;
                } else if (controlling && selected == null) {
                    choose(from, now);
                }
            }
        }
        return Optional.empty();
    }

    private void choose(InetSocketAddress pair, long now) {
        selected = pair;
        lastHeard = now;
    }
}
