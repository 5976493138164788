package io.dialtone.gateway.peers;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One gateway of a fleet behind one load balancer: its name (the pod's), where its SIP port is reached inside the
 * fleet, and whether it takes new calls (a draining or unready pod does not, but still owns the calls it holds).
 */
public record Peer(String name, String id, InetSocketAddress sip, boolean takesNewCalls) {
    /** @param sip an address, never a name: peers are looked up once, by whoever lists them */
    public static Peer of(String name, InetSocketAddress sip, boolean takesNewCalls) {
        return new Peer(name, idOf(name), sip, takesNewCalls);
    }

    /**
     * The short id a gateway writes into the tags and branches it makes, so any peer can tell whose they are: eight
     * hex digits of SHA-256 of the name, stable across restarts and one in four billion to collide.
     */
    public static String idOf(String name) {
        return HexFormat.of().formatHex(sha256(name), 0, 4);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
