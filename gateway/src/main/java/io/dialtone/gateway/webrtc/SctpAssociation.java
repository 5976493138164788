package io.dialtone.gateway.webrtc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The SCTP association (RFC 4960, over DTLS as RFC 8261 carries it) under a peer connection's data channels, with
 * what data channels need and nothing more: it answers the association LiveKit starts (pion always sends the
 * INIT), delivers each stream's messages whole and in order, acknowledges every packet with DATA at once, honours
 * FORWARD-TSN (RFC 3758, for LiveKit's lossy channel), answers heartbeats, and sends small messages whole, each kept
 * and sent again every second until acknowledged. Its memory is bounded: what arrives beyond
 * {@value #MAX_HELD} chunks ahead of the cumulative TSN, or would make a message larger than
 * {@value #MAX_MESSAGE} bytes, is dropped (and so not acknowledged, which makes the peer send it again).
 * Not thread-safe: its {@link DataChannels} serialises every call.
 */
final class SctpAssociation {
    static final int PORT = 5000;
    static final int MAX_MESSAGE = 64 * 1024;
    static final int MAX_HELD = 256;
    static final int MAX_OUTSTANDING = 256;
    private static final int RETRANSMIT_MILLIS = 1000;
    private static final int MAX_RETRANSMISSIONS = 10;
    private static final int WINDOW = 1 << 20;
    private static final int DATA = 0;
    private static final int INIT = 1;
    private static final int INIT_ACK = 2;
    private static final int SACK = 3;
    private static final int HEARTBEAT = 4;
    private static final int HEARTBEAT_ACK = 5;
    private static final int ABORT = 6;
    private static final int SHUTDOWN = 7;
    private static final int SHUTDOWN_ACK = 8;
    private static final int COOKIE_ECHO = 10;
    private static final int COOKIE_ACK = 11;
    private static final int SHUTDOWN_COMPLETE = 14;
    private static final int FORWARD_TSN = 192;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One whole message of a stream. */
    record Message(int stream, int ppid, byte[] data) {
    }

    private record Chunk(int flags, int stream, int ssn, int ppid, byte[] data) {
    }

    private static final class Outstanding {
        final byte[] chunk;
        long sentAt;
        int sent = 1;

        Outstanding(byte[] chunk, long sentAt) {
            this.chunk = chunk;
            this.sentAt = sentAt;
        }
    }

    private final Consumer<byte[]> wire;
    private final Consumer<Message> deliver;
    private final int localTag = RANDOM.nextInt() | 1;
    private final byte[] cookie = new byte[32];
    private int peerTag;
    private boolean established;
    private boolean closed;
    /** Highest TSN received with every TSN before it; valid once the INIT came. */
    private long cumulative;
    private final TreeMap<Long, Chunk> held = new TreeMap<>();
    /** A fragmented message so far: it grows only as far as a message goes, at most {@value #MAX_MESSAGE} bytes. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private boolean assembling;
    private boolean oversized;
    private long nextTsn = RANDOM.nextInt() & 0xFFFFFFFFL;
    private final Map<Long, Outstanding> outstanding = new LinkedHashMap<>();
    private final Map<Integer, Integer> nextSsn = new java.util.HashMap<>();
    private final ArrayDeque<Runnable> whenEstablished = new ArrayDeque<>();

    /**
     * @param wire    sends one SCTP packet (into DTLS)
     * @param deliver takes each whole message
     */
    SctpAssociation(Consumer<byte[]> wire, Consumer<Message> deliver) {
        this.wire = wire;
        this.deliver = deliver;
        RANDOM.nextBytes(cookie);
    }

    boolean established() {
        return established;
    }

    boolean closed() {
        return closed;
    }

    /** Runs {@code action} once the association is up (at once if it is); false when too many already wait. */
    boolean whenEstablished(Runnable action) {
        if (established) {
            action.run();
            return true;
        }
        if (closed || whenEstablished.size() >= 16) {
            return false;
        }
        whenEstablished.add(action);
        return true;
    }

    /** One SCTP packet from the peer. */
    void receive(byte[] packet) {
        if (closed || packet.length < 12 || !checksumOk(packet)) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(packet);
        in.getShort();
        in.getShort();
        int tag = in.getInt();
        in.getInt();
        boolean sawData = false;
        boolean becameEstablished = false;
        List<byte[]> replies = new ArrayList<>();
        while (in.remaining() >= 4 && !closed) {
            int type = in.get() & 0xFF;
            int flags = in.get() & 0xFF;
            int length = in.getShort() & 0xFFFF;
            if (length < 4 || length - 4 > in.remaining()) {
                return;
            }
            ByteBuffer value = in.slice(in.position(), length - 4);
            in.position(Math.min(in.limit(), in.position() + ((length + 3) & ~3) - 4));
            if (type == INIT) {
                if (tag != 0) {
                    return;
                }
                replies.add(initAck(value));
                continue;
            }
            if (tag != localTag) {
                return; // not this association's (RFC 4960 section 8.5)
            }
            switch (type) {
                case COOKIE_ECHO -> {
                    byte[] echoed = new byte[value.remaining()];
                    value.get(echoed);
                    if (java.security.MessageDigest.isEqual(echoed, cookie)) {
                        replies.add(chunk(COOKIE_ACK, 0, new byte[0]));
                        becameEstablished = !established;
                        established = true;
                    }
                }
                case DATA -> {
                    data(flags, value);
                    sawData = true;
                }
                case FORWARD_TSN -> {
                    forwardTsn(value);
                    sawData = true;
                }
                case SACK -> sack(value);
                case HEARTBEAT -> {
                    byte[] info = new byte[value.remaining()];
                    value.get(info);
                    replies.add(chunk(HEARTBEAT_ACK, 0, info));
                }
                case SHUTDOWN -> replies.add(chunk(SHUTDOWN_ACK, 0, new byte[0]));
                case SHUTDOWN_ACK -> {
                    replies.add(chunk(SHUTDOWN_COMPLETE, 0, new byte[0]));
                    closed = true;
                }
                case ABORT -> closed = true;
                default -> {
                    // Unknown and optional chunks (RE-CONFIG among them) are skipped.
                }
            }
        }
        if (sawData) {
            replies.add(sack());
        }
        for (byte[] reply : replies) {
            send(reply);
        }
        // Only after the COOKIE-ACK: DATA that overtook it would find the peer not yet established, and be dropped.
        if (becameEstablished) {
            while (!whenEstablished.isEmpty()) {
                whenEstablished.poll().run();
            }
        }
    }

    /** Sends one message whole (DATA with B and E set); false when it cannot be taken now. */
    boolean send(int stream, int ppid, byte[] data, boolean unordered, long now) {
        if (!established || closed || data.length > MAX_MESSAGE || outstanding.size() >= MAX_OUTSTANDING) {
            return false;
        }
        int ssn = unordered ? 0 : nextSsn.merge(stream, 1, Integer::sum) - 1;
        ByteBuffer value = ByteBuffer.allocate(12 + data.length);
        value.putInt((int) nextTsn).putShort((short) stream).putShort((short) ssn).putInt(ppid).put(data);
        byte[] chunk = chunk(DATA, 0x03 | (unordered ? 0x04 : 0), value.array());
        outstanding.put(nextTsn, new Outstanding(chunk, now));
        nextTsn = (nextTsn + 1) & 0xFFFFFFFFL;
        send(chunk);
        return true;
    }

    /** Sends again what waited a second for its acknowledgement; gives up on the association after ten tries. */
    void retransmit(long now) {
        for (Outstanding waiting : outstanding.values()) {
            if (now - waiting.sentAt >= RETRANSMIT_MILLIS) {
                if (waiting.sent >= MAX_RETRANSMISSIONS) {
                    closed = true;
                    send(chunk(ABORT, 0, new byte[0]));
                    outstanding.clear();
                    return;
                }
                waiting.sent++;
                waiting.sentAt = now;
                send(waiting.chunk);
            }
        }
    }

    private byte[] initAck(ByteBuffer init) {
        if (init.remaining() < 16) {
            return new byte[0];
        }
        peerTag = init.getInt();
        init.getInt(); // the peer's window: messages here are small
        init.getShort();
        init.getShort();
        cumulative = ((init.getInt() & 0xFFFFFFFFL) - 1) & 0xFFFFFFFFL;
        held.clear();
        ByteBuffer value = ByteBuffer.allocate(16 + 4 + cookie.length + 8 + 4);
        value.putInt(localTag).putInt(WINDOW).putShort((short) 0xFFFF).putShort((short) 0xFFFF).putInt((int) nextTsn);
        value.putShort((short) 7).putShort((short) (4 + cookie.length)).put(cookie); // State Cookie
        value.putShort((short) 0x8008).putShort((short) 5).put((byte) FORWARD_TSN).put(new byte[3]); // Supported Extensions
        value.putShort((short) 0xC000).putShort((short) 4); // Forward-TSN-Supported
        return chunk(INIT_ACK, 0, Arrays.copyOf(value.array(), value.position()));
    }

    private void data(int flags, ByteBuffer value) {
        if (value.remaining() < 12) {
            return;
        }
        long tsn = value.getInt() & 0xFFFFFFFFL;
        int stream = value.getShort() & 0xFFFF;
        int ssn = value.getShort() & 0xFFFF;
        int ppid = value.getInt();
        long ahead = (tsn - cumulative) & 0xFFFFFFFFL;
        if (ahead == 0 || ahead > 0x7FFFFFFFL || held.containsKey(tsn)) {
            return; // a duplicate, acknowledged again by the SACK this packet gets
        }
        if (ahead > MAX_HELD) {
            return;
        }
        byte[] data = new byte[value.remaining()];
        value.get(data);
        held.put(tsn, new Chunk(flags, stream, ssn, ppid, data));
        advance();
    }

    /** Takes every chunk that is now next in TSN order, assembling fragmented messages. */
    private void advance() {
        long next = (cumulative + 1) & 0xFFFFFFFFL;
        Chunk chunk;
        while ((chunk = held.remove(next)) != null) {
            cumulative = next;
            next = (cumulative + 1) & 0xFFFFFFFFL;
            boolean begins = (chunk.flags() & 0x02) != 0;
            boolean ends = (chunk.flags() & 0x01) != 0;
            if (begins && ends) {
                assembling = false;
                deliver.accept(new Message(chunk.stream(), chunk.ppid(), chunk.data()));
                continue;
            }
            if (begins) {
                partial.reset();
                assembling = true;
                oversized = false;
            }
            if (!assembling) {
                continue;
            }
            if (partial.size() + chunk.data().length > MAX_MESSAGE) {
                oversized = true;
            } else {
                partial.writeBytes(chunk.data());
            }
            if (ends) {
                assembling = false;
                if (!oversized) {
                    deliver.accept(new Message(chunk.stream(), chunk.ppid(), partial.toByteArray()));
                }
            }
        }
    }

    private void forwardTsn(ByteBuffer value) {
        if (value.remaining() < 4) {
            return;
        }
        long forwarded = value.getInt() & 0xFFFFFFFFL;
        long ahead = (forwarded - cumulative) & 0xFFFFFFFFL;
        if (ahead == 0 || ahead > 0x7FFFFFFFL) {
            return;
        }
        for (Iterator<Long> tsns = held.keySet().iterator(); tsns.hasNext(); ) {
            long tsn = tsns.next();
            if (((forwarded - tsn) & 0xFFFFFFFFL) <= 0x7FFFFFFFL) {
                tsns.remove();
            }
        }
        cumulative = forwarded;
        assembling = false;
        advance();
    }

    private void sack(ByteBuffer value) {
        if (value.remaining() < 12) {
            return;
        }
        long acked = value.getInt() & 0xFFFFFFFFL;
        value.getInt();
        int gaps = value.getShort() & 0xFFFF;
        value.getShort();
        outstanding.keySet().removeIf(tsn -> ((acked - tsn) & 0xFFFFFFFFL) <= 0x7FFFFFFFL);
        for (int i = 0; i < gaps && value.remaining() >= 4; i++) {
            long start = (acked + (value.getShort() & 0xFFFF)) & 0xFFFFFFFFL;
            long end = (acked + (value.getShort() & 0xFFFF)) & 0xFFFFFFFFL;
            outstanding.keySet().removeIf(tsn -> ((tsn - start) & 0xFFFFFFFFL) <= ((end - start) & 0xFFFFFFFFL));
        }
    }

    private byte[] sack() {
        List<long[]> blocks = new ArrayList<>();
        for (long tsn : held.keySet()) {
            long offset = (tsn - cumulative) & 0xFFFFFFFFL;
            if (!blocks.isEmpty() && blocks.get(blocks.size() - 1)[1] + 1 == offset) {
                blocks.get(blocks.size() - 1)[1] = offset;
            } else if (blocks.size() < 64) {
                blocks.add(new long[] {offset, offset});
            }
        }
        ByteBuffer value = ByteBuffer.allocate(12 + 4 * blocks.size());
        value.putInt((int) cumulative).putInt(WINDOW).putShort((short) blocks.size()).putShort((short) 0);
        for (long[] block : blocks) {
            value.putShort((short) block[0]).putShort((short) block[1]);
        }
        return chunk(SACK, 0, value.array());
    }

    private static byte[] chunk(int type, int flags, byte[] value) {
        ByteBuffer chunk = ByteBuffer.allocate((4 + value.length + 3) & ~3);
        chunk.put((byte) type).put((byte) flags).putShort((short) (4 + value.length)).put(value);
        return chunk.array();
    }

    private void send(byte[] chunk) {
        if (chunk.length == 0) {
            return;
        }
        ByteBuffer packet = ByteBuffer.allocate(12 + chunk.length);
        packet.putShort((short) PORT).putShort((short) PORT).putInt(peerTag).putInt(0).put(chunk);
        byte[] bytes = packet.array();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        wire.accept(bytes);
    }

    private static boolean checksumOk(byte[] packet) {
        int stated = ByteBuffer.wrap(packet, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] zeroed = packet.clone();
        Arrays.fill(zeroed, 8, 12, (byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(zeroed);
        return (int) crc.getValue() == stated;
    }
}
