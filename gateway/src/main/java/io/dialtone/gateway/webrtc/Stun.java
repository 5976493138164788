package io.dialtone.gateway.webrtc;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The part of STUN (RFC 5389) that ICE connectivity checks use (RFC 8445 section 7): Binding requests and their
 * success responses, with USERNAME, PRIORITY, ICE-CONTROLLING/ICE-CONTROLLED, USE-CANDIDATE, XOR-MAPPED-ADDRESS,
 * MESSAGE-INTEGRITY (HMAC-SHA1 keyed by the short-term password) and FINGERPRINT. Anything else parses to empty.
 */
public final class Stun {
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    static final int MAGIC_COOKIE = 0x2112A442;
    private static final int HEADER = 20;
    private static final int USERNAME = 0x0006;
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int XOR_MAPPED_ADDRESS = 0x0020;
    private static final int PRIORITY = 0x0024;
    private static final int USE_CANDIDATE = 0x0025;
    private static final int FINGERPRINT = 0x8028;
    private static final int ICE_CONTROLLED = 0x8029;
    private static final int ICE_CONTROLLING = 0x802A;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int MAX_USERNAME = 513;

    private Stun() {
    }

    /** A parsed message, with where its MESSAGE-INTEGRITY starts, so it can be checked against a key. */
    public record Message(int type, byte[] transactionId, Optional<String> username, boolean useCandidate,
                          Optional<Boolean> controlling, long tieBreaker, Optional<InetSocketAddress> mapped,
                          long priority, byte[] raw, int integrityAt) {
        /** Whether MESSAGE-INTEGRITY is there and matches {@code password}. */
        public boolean authentic(String password) {
            if (integrityAt < 0) {
                return false;
            }
            byte[] signed = raw.clone();
            // The length field covers the message up to and including MESSAGE-INTEGRITY (RFC 5389 section 15.4).
            putShort(signed, 2, integrityAt + 24 - HEADER);
            byte[] expected = hmac(password, signed, integrityAt);
            return MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(raw, integrityAt + 4, integrityAt + 24));
        }
    }

    /** Whether a datagram's first byte says STUN (RFC 7983 demultiplexing). */
    public static boolean looksLikeStun(ByteBuffer datagram) {
        return datagram.remaining() >= HEADER && (datagram.get(datagram.position()) & 0xFF) < 4;
    }

    /** The message in a datagram, if it is well-formed STUN with the magic cookie and a correct FINGERPRINT. */
    public static Optional<Message> parse(ByteBuffer datagram) {
        int length = datagram.remaining();
        if (length < HEADER || length > 1500) {
            return Optional.empty();
        }
        byte[] raw = new byte[length];
        datagram.duplicate().get(raw);
        ByteBuffer in = ByteBuffer.wrap(raw);
        int type = in.getShort() & 0xFFFF;
        int bodyLength = in.getShort() & 0xFFFF;
        if ((type & 0xC000) != 0 || in.getInt() != MAGIC_COOKIE || bodyLength + HEADER != length
                || bodyLength % 4 != 0) {
            return Optional.empty();
        }
        byte[] transaction = new byte[12];
        in.get(transaction);
        Optional<String> username = Optional.empty();
        Optional<Boolean> controlling = Optional.empty();
        Optional<InetSocketAddress> mapped = Optional.empty();
        boolean useCandidate = false;
        long tieBreaker = 0;
        long priority = 0;
        int integrityAt = -1;
        boolean fingerprinted = false;
        while (in.remaining() >= 4) {
            int at = in.position();
            int attribute = in.getShort() & 0xFFFF;
            int valueLength = in.getShort() & 0xFFFF;
            int padded = (valueLength + 3) & ~3;
            if (padded > in.remaining() || fingerprinted) {
                return Optional.empty();
            }
            ByteBuffer value = in.slice(in.position(), valueLength);
            in.position(in.position() + padded);
            if (integrityAt >= 0 && attribute != FINGERPRINT) {
                continue; // only FINGERPRINT may follow MESSAGE-INTEGRITY; anything else is ignored
            }
            switch (attribute) {
                case USERNAME -> {
                    if (valueLength > MAX_USERNAME) {
                        return Optional.empty();
                    }
                    byte[] name = new byte[valueLength];
                    value.get(name);
                    username = Optional.of(new String(name, StandardCharsets.UTF_8));
                }
                case PRIORITY -> priority = valueLength == 4 ? value.getInt() & 0xFFFFFFFFL : 0;
                case USE_CANDIDATE -> useCandidate = true;
                case ICE_CONTROLLING, ICE_CONTROLLED -> {
                    if (valueLength != 8) {
                        return Optional.empty();
                    }
                    controlling = Optional.of(attribute == ICE_CONTROLLING);
                    tieBreaker = value.getLong();
                }
                case XOR_MAPPED_ADDRESS -> mapped = xorAddress(value, transaction);
                case MESSAGE_INTEGRITY -> {
                    if (valueLength != 20) {
                        return Optional.empty();
                    }
                    integrityAt = at;
                }
                case FINGERPRINT -> {
                    if (valueLength != 4) {
                        return Optional.empty();
                    }
                    byte[] covered = raw.clone();
                    putShort(covered, 2, at + 8 - HEADER);
                    if (value.getInt() != fingerprint(covered, at)) {
                        return Optional.empty();
                    }
                    fingerprinted = true;
                }
                default -> {
                    // Comprehension-required attributes this agent does not know: a check it cannot answer.
                    if (attribute < 0x8000) {
                        return Optional.empty();
                    }
                }
            }
        }
        if (in.hasRemaining()) {
            return Optional.empty();
        }
        return Optional.of(new Message(type, transaction, username, useCandidate, controlling, tieBreaker, mapped,
                priority, raw, integrityAt));
    }

    /**
     * A connectivity check (RFC 8445 section 7.1.1).
     *
     * @param username   "remote ufrag:local ufrag"
     * @param password   the remote agent's password, which keys MESSAGE-INTEGRITY
     */
    public static byte[] bindingRequest(byte[] transactionId, String username, String password, long priority,
                                        boolean controlling, long tieBreaker, boolean useCandidate) {
        Writer out = new Writer(BINDING_REQUEST, transactionId);
        out.attribute(USERNAME, username.getBytes(StandardCharsets.UTF_8));
        out.attribute(PRIORITY, ByteBuffer.allocate(4).putInt((int) priority).array());
        out.attribute(controlling ? ICE_CONTROLLING : ICE_CONTROLLED, ByteBuffer.allocate(8).putLong(tieBreaker).array());
        if (useCandidate) {
            out.attribute(USE_CANDIDATE, new byte[0]);
        }
        return out.signed(password);
    }

    /** The success response to a check from {@code source}, signed with the local password it was checked with. */
    public static byte[] bindingSuccess(byte[] transactionId, InetSocketAddress source, String password) {
        Writer out = new Writer(BINDING_SUCCESS, transactionId);
        out.attribute(XOR_MAPPED_ADDRESS, xorAddress(source, transactionId));
        return out.signed(password);
    }

    private static Optional<InetSocketAddress> xorAddress(ByteBuffer value, byte[] transaction) {
        if (value.remaining() < 8) {
            return Optional.empty();
        }
        value.get();
        int family = value.get();
        int port = (value.getShort() & 0xFFFF) ^ (MAGIC_COOKIE >>> 16);
        byte[] address = new byte[family == 1 ? 4 : 16];
        if (family != 1 && family != 2 || value.remaining() < address.length) {
            return Optional.empty();
        }
        value.get(address);
        byte[] mask = ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transaction).array();
        for (int i = 0; i < address.length; i++) {
            address[i] ^= mask[i];
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(address), port));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static byte[] xorAddress(InetSocketAddress source, byte[] transaction) {
        byte[] address = source.getAddress().getAddress();
        byte[] mask = ByteBuffer.allocate(16).putInt(MAGIC_COOKIE).put(transaction).array();
        ByteBuffer value = ByteBuffer.allocate(4 + address.length);
        value.put((byte) 0).put((byte) (address.length == 4 ? 1 : 2))
                .putShort((short) (source.getPort() ^ (MAGIC_COOKIE >>> 16)));
        for (int i = 0; i < address.length; i++) {
            value.put((byte) (address[i] ^ mask[i]));
        }
        return value.array();
    }

    private static byte[] hmac(String password, byte[] message, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            mac.update(message, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
        }
    }

    private static int fingerprint(byte[] message, int length) {
        CRC32 crc = new CRC32();
        crc.update(message, 0, length);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    private static void putShort(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >> 8);
        bytes[at + 1] = (byte) value;
    }

    /** Builds one message: attributes, then MESSAGE-INTEGRITY and FINGERPRINT. */
    private static final class Writer {
        private final ByteBuffer out = ByteBuffer.allocate(576);

        Writer(int type, byte[] transactionId) {
            out.putShort((short) type).putShort((short) 0).putInt(MAGIC_COOKIE).put(transactionId);
        }

        void attribute(int type, byte[] value) {
            out.putShort((short) type).putShort((short) value.length).put(value);
            while (out.position() % 4 != 0) {
                out.put((byte) 0);
            }
        }

        byte[] signed(String password) {
            byte[] bytes = out.array();
            int integrityAt = out.position();
            putShort(bytes, 2, integrityAt + 24 - HEADER);
            byte[] mac = hmac(password, bytes, integrityAt);
            attribute(MESSAGE_INTEGRITY, mac);
            int fingerprintAt = out.position();
            putShort(bytes, 2, fingerprintAt + 8 - HEADER);
            attribute(FINGERPRINT, ByteBuffer.allocate(4).putInt(fingerprint(bytes, fingerprintAt)).array());
            return java.util.Arrays.copyOf(bytes, out.position());
        }
    }
}
