package io.dialtone.gateway.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The association as pion starts it, with the peer's packets made by hand. */
class SctpAssociationTest {
    private static final int PEER_TAG = 0x1234_5678;
    private static final long PEER_TSN = 0xFFFF_FFFEL; // wraps after two chunks
    private final List<byte[]> sent = new ArrayList<>();
    private final List<SctpAssociation.Message> delivered = new ArrayList<>();
    private final SctpAssociation association = new SctpAssociation(sent::add, delivered::add);
    private int localTag;

    private static byte[] chunk(int type, int flags, byte[] value) {
        ByteBuffer chunk = ByteBuffer.allocate((4 + value.length + 3) & ~3);
        chunk.put((byte) type).put((byte) flags).putShort((short) (4 + value.length)).put(value);
        return chunk.array();
    }

    private static byte[] packet(int tag, byte[]... chunks) {
        int length = 12 + Arrays.stream(chunks).mapToInt(chunk -> chunk.length).sum();
        ByteBuffer packet = ByteBuffer.allocate(length);
        packet.putShort((short) 5000).putShort((short) 5000).putInt(tag).putInt(0);
        for (byte[] chunk : chunks) {
            packet.put(chunk);
        }
        byte[] bytes = packet.array();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return bytes;
    }

    private static byte[] data(long tsn, int stream, int ssn, int flags, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer value = ByteBuffer.allocate(12 + payload.length);
        value.putInt((int) tsn).putShort((short) stream).putShort((short) ssn).putInt(51).put(payload);
        return chunk(0, flags, value.array());
    }

    /** The chunk type and the value of the only chunk of a packet the association sent. */
    private static ByteBuffer only(byte[] packet, int type) {
        ByteBuffer in = ByteBuffer.wrap(packet);
        assertThat(in.getInt(4)).as("verification tag").isEqualTo(PEER_TAG);
        assertThat(in.get(12) & 0xFF).as("chunk type").isEqualTo(type);
        int length = in.getShort(14) & 0xFFFF;
        return in.slice(16, length - 4);
    }

    private void establish() {
        ByteBuffer init = ByteBuffer.allocate(16);
        init.putInt(PEER_TAG).putInt(1 << 20).putShort((short) 1024).putShort((short) 1024).putInt((int) PEER_TSN);
        association.receive(packet(0, chunk(1, 0, init.array())));
        ByteBuffer initAck = only(sent.remove(0), 2);
        localTag = initAck.getInt(0);
        initAck.position(16);
        byte[] cookie = null;
        while (initAck.remaining() >= 4) {
            int type = initAck.getShort() & 0xFFFF;
            int length = initAck.getShort() & 0xFFFF;
            byte[] value = new byte[length - 4];
            initAck.get(value);
            initAck.position(Math.min(initAck.limit(), initAck.position() + ((length + 3) & ~3) - length));
            if (type == 7) {
                cookie = value;
            }
        }
        assertThat(cookie).as("state cookie").isNotNull();
        association.receive(packet(localTag, chunk(10, 0, cookie)));
        only(sent.remove(0), 11);
        assertThat(association.established()).isTrue();
    }

    private long cumulativeAck(byte[] sack) {
        return only(sack, 3).getInt(0) & 0xFFFFFFFFL;
    }

    @Test
    void theAssociationPionStartsIsAnsweredAndItsMessagesDeliveredInOrderAcrossTheTsnWrap() {
        establish();
        long second = (PEER_TSN + 1) & 0xFFFFFFFFL;
        long third = (PEER_TSN + 2) & 0xFFFFFFFFL;
        association.receive(packet(localTag, data(third, 1, 2, 3, "three")));
        assertThat(delivered).as("held until what comes before it arrives").isEmpty();
        assertThat(cumulativeAck(sent.remove(0))).isEqualTo((PEER_TSN - 1) & 0xFFFFFFFFL);
        association.receive(packet(localTag, data(PEER_TSN, 1, 0, 3, "one"), data(second, 1, 1, 3, "two")));
        assertThat(delivered).extracting(message -> new String(message.data(), StandardCharsets.UTF_8))
                .containsExactly("one", "two", "three");
        assertThat(cumulativeAck(sent.remove(0))).isEqualTo(third);
    }

    @Test
    void fragmentsAreJoinedAndDuplicatesOnlyAcknowledged() {
        establish();
        long tsn = PEER_TSN;
        association.receive(packet(localTag, data(tsn, 3, 0, 2, "frag"), data(tsn + 1, 3, 0, 0, "men"),
                data((tsn + 2) & 0xFFFFFFFFL, 3, 0, 1, "ted")));
        association.receive(packet(localTag, data(tsn, 3, 0, 2, "frag")));
        assertThat(delivered).singleElement().satisfies(message -> {
            assertThat(new String(message.data(), StandardCharsets.UTF_8)).isEqualTo("fragmented");
            assertThat(message.stream()).isEqualTo(3);
            assertThat(message.ppid()).isEqualTo(51);
        });
        assertThat(sent).hasSize(2).allSatisfy(sack -> assertThat(cumulativeAck(sack))
                .isEqualTo((tsn + 2) & 0xFFFFFFFFL));
    }

    @Test
    void forwardTsnSkipsWhatThePeerAbandoned() {
        establish();
        long abandoned = PEER_TSN;
        long next = (PEER_TSN + 1) & 0xFFFFFFFFL;
        association.receive(packet(localTag, chunk(192, 0, ByteBuffer.allocate(4).putInt((int) abandoned).array())));
        association.receive(packet(localTag, data(next, 1, 0, 7, "after")));
        assertThat(delivered).extracting(message -> new String(message.data(), StandardCharsets.UTF_8))
                .containsExactly("after");
    }

    @Test
    void packetsWithAWrongTagOrChecksumAreIgnored() {
        establish();
        association.receive(packet(localTag + 1, data(PEER_TSN, 1, 0, 3, "forged")));
        byte[] corrupt = packet(localTag, data(PEER_TSN, 1, 0, 3, "forged"));
        corrupt[corrupt.length - 1] ^= 1;
        association.receive(corrupt);
        association.receive(new byte[] {1, 2, 3});
        assertThat(delivered).isEmpty();
        assertThat(sent).isEmpty();
    }

    @Test
    void chunksFarAheadAreNotHeld() {
        establish();
        association.receive(packet(localTag, data((PEER_TSN + SctpAssociation.MAX_HELD + 1) & 0xFFFFFFFFL, 1, 0, 3,
                "too far")));
        association.receive(packet(localTag, data(PEER_TSN, 1, 0, 3, "next")));
        assertThat(delivered).extracting(message -> new String(message.data(), StandardCharsets.UTF_8))
                .containsExactly("next");
    }

    @Test
    void whatTheGatewaySendsIsResentUntilAcknowledgedAndTheAssociationGivenUpAfterTenTries() {
        assertThat(association.send(1, 53, new byte[] {1}, false, 0)).as("not before the association is up")
                .isFalse();
        establish();
        assertThat(association.send(1, 53, new byte[] {1}, false, 0)).isTrue();
        ByteBuffer first = only(sent.remove(0), 0);
        long tsn = first.getInt(0) & 0xFFFFFFFFL;
        association.retransmit(999);
        assertThat(sent).isEmpty();
        association.retransmit(1000);
        assertThat(only(sent.remove(0), 0).getInt(0) & 0xFFFFFFFFL).isEqualTo(tsn);

        ByteBuffer sack = ByteBuffer.allocate(12).putInt((int) tsn).putInt(1 << 20).putShort((short) 0)
                .putShort((short) 0);
        association.receive(packet(localTag, chunk(3, 0, sack.array())));
        association.retransmit(5000);
        assertThat(sent).as("acknowledged: not sent again").isEmpty();

        association.send(1, 53, new byte[] {2}, false, 5000);
        sent.clear();
        for (int attempt = 1; attempt <= 10; attempt++) {
            association.retransmit(5000 + attempt * 1000L);
        }
        assertThat(association.closed()).isTrue();
        assertThat(only(sent.get(sent.size() - 1), 6)).as("an ABORT").isNotNull();
    }
}
