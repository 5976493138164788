package io.dialtone.gateway.webrtc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer connection's data channels (RFC 8831) and their establishment protocol (DCEP, RFC 8832) over its
 * {@link SctpAssociation}: channels LiveKit opens are acknowledged and their messages handed on by label; channels
 * the gateway opens are announced once the association is up. Streams the DTLS client opens are even, the
 * server's odd. Thread-safe: every call holds this object's lock, so the association sees one caller at a time.
 */
public final class DataChannels {
    private static final Logger LOG = LoggerFactory.getLogger(DataChannels.class);
    private static final int PPID_DCEP = 50;
    private static final int PPID_STRING = 51;
    private static final int PPID_BINARY = 53;
    private static final int PPID_STRING_EMPTY = 56;
    private static final int PPID_BINARY_EMPTY = 57;
    private static final int OPEN = 0x03;
    private static final int ACK = 0x02;
    private static final int MAX_CHANNELS = 16;

    /** Takes each message of a channel, by the channel's label. */
    @FunctionalInterface
    public interface Listener {
        void message(String label, byte[] data);
    }

    private final SctpAssociation association;
    private final Listener listener;
    private final Map<Integer, String> labels = new HashMap<>();
    private int nextStream;

    /**
     * @param wire      sends one SCTP packet into DTLS
     * @param dtlsClient whether this side is the DTLS client (its streams are then even)
     */
    DataChannels(Consumer<byte[]> wire, boolean dtlsClient, Listener listener) {
        this.listener = listener;
        this.association = new SctpAssociation(wire, this::delivered);
        this.nextStream = dtlsClient ? 0 : 1;
    }

    /** One SCTP packet out of DTLS. */
    public synchronized void receive(byte[] packet) {
        association.receive(packet);
    }

    /**
     * Opens a reliable, ordered channel once the association is up.
     *
     * @return completes when the channel's DATA_CHANNEL_OPEN went out, after which messages may follow at once
     *         (RFC 8832 section 6)
     */
    public synchronized java.util.concurrent.CompletableFuture<Void> open(String label) {
        java.util.concurrent.CompletableFuture<Void> opened = new java.util.concurrent.CompletableFuture<>();
        int stream = nextStream;
        nextStream += 2;
        labels.put(stream, label);
        byte[] name = label.getBytes(StandardCharsets.UTF_8);
        ByteBuffer open = ByteBuffer.allocate(12 + name.length);
        open.put((byte) OPEN).put((byte) 0x00).putShort((short) 0).putInt(0).putShort((short) name.length)
                .putShort((short) 0).put(name);
        association.whenEstablished(() -> {
            association.send(stream, PPID_DCEP, open.array(), false, now());
            opened.complete(null);
        });
        return opened;
    }

    /**
     * A binary message on the channel of that label, sent once the association is up; false when it cannot be (no
     * such channel, the association closed, or too much waiting).
     */
    public synchronized boolean send(String label, byte[] data) {
        Optional<Integer> stream = labels.entrySet().stream().filter(entry -> entry.getValue().equals(label))
                .map(Map.Entry::getKey).findFirst();
        if (stream.isEmpty()) {
            return false;
        }
        if (!association.established()) {
            return association.whenEstablished(() -> sendNow(stream.get(), data));
        }
        return sendNow(stream.get(), data);
    }

    private boolean sendNow(int stream, byte[] data) {
        return data.length == 0 ? association.send(stream, PPID_BINARY_EMPTY, new byte[1], false, now())
                : association.send(stream, PPID_BINARY, data, false, now());
    }

    /** Sends again what is still unacknowledged; the connection's timer calls it. */
    public synchronized void tick() {
        association.retransmit(now());
    }

    public synchronized boolean open() {
        return association.established() && !association.closed();
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    private void delivered(SctpAssociation.Message message) {
        if (message.ppid() == PPID_DCEP) {
            byte[] data = message.data();
            if (data.length >= 12 && data[0] == OPEN && labels.size() < MAX_CHANNELS) {
                ByteBuffer open = ByteBuffer.wrap(data);
                open.position(8);
                int labelLength = open.getShort() & 0xFFFF;
                open.getShort();
                if (open.remaining() >= labelLength) {
                    byte[] name = new byte[labelLength];
                    open.get(name);
                    labels.put(message.stream(), new String(name, StandardCharsets.UTF_8));
                    association.send(message.stream(), PPID_DCEP, new byte[] {ACK}, false, now());
                }
            }
            return;
        }
        String label = labels.get(message.stream());
        if (label == null) {
            LOG.debug("event=data_channel_unknown stream={}", message.stream());
            return;
        }
        switch (message.ppid()) {
            case PPID_BINARY, PPID_STRING -> listener.message(label, message.data());
            case PPID_BINARY_EMPTY, PPID_STRING_EMPTY -> listener.message(label, new byte[0]);
            default -> LOG.debug("event=data_channel_ppid label={} ppid={}", label, message.ppid());
        }
    }
}
