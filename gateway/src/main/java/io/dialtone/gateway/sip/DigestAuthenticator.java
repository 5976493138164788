package io.dialtone.gateway.sip;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SIP digest authentication with qop=auth: SHA-256 (RFC 8760) and MD5 (RFC 2617, as most carriers still speak it),
 * the client choosing among the challenges offered. A nonce is the time it was issued plus an HMAC over that time and
 * a binding (the Call-ID and the caller's address), so it needs no server-side storage until it is used, only works
 * for its own call from its own address, expires after
 * {@code lifetime} (answered with stale=true), and is accepted once by the pod that sees it used. The HMAC key is
 * derived from a secret every pod of a gateway shares, so a nonce one pod issued is good at any other (behind a load
 * balancer the retried INVITE may land elsewhere). The credentials' digest URI must name the host (and port) of the
 * request's own URI: RFC 3261 asks for the Request-URI itself, but common clients (sipp among them) put the
 * gateway's address without the number there, and the nonce already binds the response to its call.
 */
public final class DigestAuthenticator {
    public enum Outcome {
        /** The credentials match. */
        OK,
        /** Valid once, but too old: challenge again with stale=true. */
        STALE,
        /** Wrong user, wrong password, a nonce of another call or a forged one. */
        FAILED,
        /** The nonce was already used. */
        REPLAYED
    }

    /**
     * The hash of a challenge, in the order challenges are offered: MD5 first, since clients that read only the
     * topmost challenge and know only MD5 (sipp 3.6.1 does so, and carriers' older equipment) would otherwise fail
     * where they work today; SHA-256 beside it for clients that take the strongest they support.
     */
    public enum Algorithm {
        MD5("MD5", "MD5"),
        SHA_256("SHA-256", "SHA-256");

        private final String token;
        private final String javaName;

        Algorithm(String token, String javaName) {
            this.token = token;
            this.javaName = javaName;
        }

        /** As written in the {@code algorithm} parameter. */
        public String token() {
            return token;
        }

        /** The algorithm of {@code token} (absent: MD5, as RFC 2617 says); empty for one not offered. */
        static java.util.Optional<Algorithm> of(String token) {
            if (token == null || token.isEmpty()) {
                return java.util.Optional.of(MD5);
            }
            return Arrays.stream(values()).filter(a -> a.token.equalsIgnoreCase(token.strip())).findFirst();
        }

        String hash(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(javaName)
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has " + javaName, e);
            }
        }
    }

    /** What the caller sent in Proxy-Authorization. */
    public record Credentials(String username, String realm, String nonce, String uri, String response, String qop,
                              String nc, String cnonce, String algorithm) {
    }

    private final byte[] key;
    private final Clock clock;
    private final Duration lifetime;
    private final Map<String, Long> used = new ConcurrentHashMap<>();

    /** @param sharedSecret a secret every pod of the gateway holds (the nonce key is derived from it) */
    public DigestAuthenticator(Clock clock, Duration lifetime, String sharedSecret) {
        this.key = hmac(sharedSecret.getBytes(StandardCharsets.UTF_8),
                "dialtone digest nonces".getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** @param binding what the nonce is good for: the call, and the address it came from */
    public String newNonce(String binding) {
        long now = clock.millis();
        ByteBuffer nonce = ByteBuffer.allocate(8 + 16).putLong(now).put(mac(now, binding), 0, 16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce.array());
    }

    /**
     * @param requestUri the URI of the request the credentials came with
     * @param binding    as given to {@link #newNonce}
     */
    public Outcome verify(Credentials credentials, String method, String requestUri, String binding, String username,
                          String password, String realm) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(credentials.nonce());
        } catch (IllegalArgumentException e) {
            return Outcome.FAILED;
        }
        if (raw.length != 24) {
            return Outcome.FAILED;
        }
        long issued = ByteBuffer.wrap(raw).getLong();
        if (!MessageDigest.isEqual(Arrays.copyOfRange(raw, 8, 24), Arrays.copyOf(mac(issued, binding), 16))) {
            return Outcome.FAILED;
        }
        if (!username.equals(credentials.username()) || !realm.equals(credentials.realm())
                || !sameTarget(requestUri, String.valueOf(credentials.uri()))) {
            return Outcome.FAILED;
        }
        java.util.Optional<Algorithm> algorithm = Algorithm.of(credentials.algorithm());
        if (algorithm.isEmpty()) {
            return Outcome.FAILED;
        }
        String expected = response(algorithm.get(), username, realm, password, method, credentials);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                String.valueOf(credentials.response()).getBytes(StandardCharsets.US_ASCII))) {
            return Outcome.FAILED;
        }
        long now = clock.millis();
        if (now - issued > lifetime.toMillis()) {
            return Outcome.STALE;
        }
        forgetExpired(now);
        return used.putIfAbsent(credentials.nonce(), issued) == null ? Outcome.OK : Outcome.REPLAYED;
    }

    /** The response a client that knows the password computes (RFC 2617 section 3.2.2.1, RFC 8760 section 2). */
    static String response(Algorithm algorithm, String username, String realm, String password, String method,
                           Credentials c) {
        String ha1 = algorithm.hash(username + ":" + realm + ":" + password);
        String ha2 = algorithm.hash(method + ":" + c.uri());
        if (c.qop() == null || c.qop().isEmpty()) {
            return algorithm.hash(ha1 + ":" + c.nonce() + ":" + ha2);
        }
        return algorithm.hash(ha1 + ":" + c.nonce() + ":" + c.nc() + ":" + c.cnonce() + ":" + c.qop() + ":" + ha2);
    }

    /** Whether two SIP URIs name the same host and port, whatever their user parts and parameters. */
    static boolean sameTarget(String requestUri, String digestUri) {
        java.util.Optional<String> target = target(requestUri);
        return target.isPresent() && target.equals(target(digestUri));
    }

    private static java.util.Optional<String> target(String uri) {
        String text = uri.strip().toLowerCase(java.util.Locale.ROOT);
        int colon = text.indexOf(':');
        if (colon < 0 || !(text.startsWith("sip:") || text.startsWith("sips:"))) {
            return java.util.Optional.empty();
        }
        String rest = text.substring(colon + 1);
        rest = rest.substring(rest.lastIndexOf('@') + 1);
        int end = rest.length();
        for (char stop : new char[] {';', '?', '>'}) {
            int at = rest.indexOf(stop);
            end = at >= 0 ? Math.min(end, at) : end;
        }
        String target = rest.substring(0, end);
        return target.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(target);
    }

    private void forgetExpired(long now) {
        if (used.size() > 1024) {
            used.values().removeIf(issued -> now - issued > lifetime.toMillis());
        }
    }

    private byte[] mac(long issued, String binding) {
        byte[] message = ByteBuffer.allocate(8).putLong(issued).array();
        byte[] id = binding.getBytes(StandardCharsets.UTF_8);
        byte[] both = Arrays.copyOf(message, message.length + id.length);
        System.arraycopy(id, 0, both, message.length, id.length);
        return hmac(key, both);
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }
}
