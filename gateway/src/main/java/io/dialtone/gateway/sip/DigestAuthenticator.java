package io.dialtone.gateway.sip;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
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
 * SIP digest authentication (RFC 2617 with MD5 and qop=auth, as carriers speak it). A nonce is the time it was
 * issued plus an HMAC over that time and the Call-ID, so it needs no server-side storage until it is used, only
 * works for its own call, expires after {@code lifetime} (answered with stale=true), and is accepted once.
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

    /** What the caller sent in Proxy-Authorization. */
    public record Credentials(String username, String realm, String nonce, String uri, String response, String qop,
                              String nc, String cnonce) {
    }

    private final byte[] key = new byte[32];
    private final Clock clock;
    private final Duration lifetime;
    private final Map<String, Long> used = new ConcurrentHashMap<>();

    public DigestAuthenticator(Clock clock, Duration lifetime) {
        new SecureRandom().nextBytes(key);
        this.clock = clock;
        this.lifetime = lifetime;
    }

    public String newNonce(String callId) {
        long now = clock.millis();
        ByteBuffer nonce = ByteBuffer.allocate(8 + 16).putLong(now).put(mac(now, callId), 0, 16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce.array());
    }

    public Outcome verify(Credentials credentials, String method, String callId, String username, String password,
                          String realm) {
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
        if (!MessageDigest.isEqual(Arrays.copyOfRange(raw, 8, 24), Arrays.copyOf(mac(issued, callId), 16))) {
            return Outcome.FAILED;
        }
        if (!username.equals(credentials.username()) || !realm.equals(credentials.realm())) {
            return Outcome.FAILED;
        }
        String expected = response(username, realm, password, method, credentials);
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

    /** The response a client that knows the password computes (RFC 2617 section 3.2.2.1). */
    static String response(String username, String realm, String password, String method, Credentials c) {
        String ha1 = md5(username + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + c.uri());
        if (c.qop() == null || c.qop().isEmpty()) {
            return md5(ha1 + ":" + c.nonce() + ":" + ha2);
        }
        return md5(ha1 + ":" + c.nonce() + ":" + c.nc() + ":" + c.cnonce() + ":" + c.qop() + ":" + ha2);
    }

    private void forgetExpired(long now) {
        if (used.size() > 1024) {
            used.values().removeIf(issued -> now - issued > lifetime.toMillis());
        }
    }

    private byte[] mac(long issued, String callId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(ByteBuffer.allocate(8).putLong(issued).array());
            return mac.doFinal(callId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java runtime has HmacSHA256", e);
        }
    }

    static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }
}
