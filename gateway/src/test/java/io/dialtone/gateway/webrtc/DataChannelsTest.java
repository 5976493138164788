package io.dialtone.gateway.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** DCEP over an association, the peer's packets made by hand as in {@link SctpAssociationTest}. */
class DataChannelsTest {
    private static final int PEER_TAG = 0x0BAD_CAFE;
    private final List<byte[]> sent = new ArrayList<>();
    private final List<Map.Entry<String, String>> messages = new ArrayList<>();
    private final DataChannels channels = new DataChannels(sent::add, false,
            (label, data) -> messages.add(Map.entry(label, new String(data, StandardCharsets.UTF_8))));
    private int localTag;
    private long peerTsn = 100;

    private static byte[] chunk(int type, int flags, byte[] value) {
        ByteBuffer chunk = ByteBuffer.allocate((4 + value.length + 3) & ~3);
        chunk.put((byte) type).put((byte) flags).putShort((short) (4 + value.length)).put(value);
        return chunk.array();
    }

    private static byte[] packet(int tag, byte[] chunk) {
        ByteBuffer packet = ByteBuffer.allocate(12 + chunk.length);
        packet.putShort((short) 5000).putShort((short) 5000).putInt(tag).putInt(0).put(chunk);
        byte[] bytes = packet.array();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return bytes;
    }

    private void establish() {
        ByteBuffer init = ByteBuffer.allocate(16).putInt(PEER_TAG).putInt(1 << 20).putShort((short) 16)
                .putShort((short) 16).putInt((int) peerTsn);
        channels.receive(packet(0, chunk(1, 0, init.array())));
        ByteBuffer initAck = ByteBuffer.wrap(sent.remove(0));
        localTag = initAck.getInt(16);
        int cookieLength = (initAck.getShort(34) & 0xFFFF) - 4;
        byte[] cookie = new byte[cookieLength];
        initAck.get(36, cookie);
        channels.receive(packet(localTag, chunk(10, 0, cookie)));
    }

    private void peerSends(int stream, int ppid, byte[] payload) {
        ByteBuffer value = ByteBuffer.allocate(12 + payload.length);
        value.putInt((int) peerTsn++).putShort((short) stream).putShort((short) 0).putInt(ppid).put(payload);
        channels.receive(packet(localTag, chunk(0, 3, value.array())));
    }

    /** The DATA chunks among what the gateway sent: stream, PPID and payload. */
    private List<Object[]> dataSent() {
        List<Object[]> data = new ArrayList<>();
        for (byte[] packet : sent) {
            ByteBuffer in = ByteBuffer.wrap(packet);
            if ((in.get(12) & 0xFF) == 0) {
                int length = in.getShort(14) & 0xFFFF;
                byte[] payload = new byte[length - 16];
                in.get(28, payload);
                data.add(new Object[] {in.getShort(20) & 0xFFFF, in.getInt(24), payload});
            }
        }
        return data;
    }

    @Test
    void aChannelThePeerOpensIsAcknowledgedAndItsMessagesArriveByLabel() {
        establish();
        byte[] label = "_reliable".getBytes(StandardCharsets.UTF_8);
        ByteBuffer open = ByteBuffer.allocate(12 + label.length).put((byte) 3).put((byte) 0).putShort((short) 0)
                .putInt(0).putShort((short) label.length).putShort((short) 0).put(label);
        peerSends(2, 50, open.array());
        assertThat(dataSent()).singleElement().satisfies(ack -> {
            assertThat(ack[0]).isEqualTo(2);
            assertThat(ack[1]).isEqualTo(50);
            assertThat((byte[]) ack[2]).containsExactly(2);
        });
        peerSends(2, 53, "hello".getBytes(StandardCharsets.UTF_8));
        peerSends(4, 53, "nobody opened this stream".getBytes(StandardCharsets.UTF_8));
        assertThat(messages).containsExactly(Map.entry("_reliable", "hello"));
    }

    @Test
    void aChannelTheGatewayOpensIsAnnouncedOnceTheAssociationIsUpAndMessagesWaitForIt() {
        CompletableFuture<Void> opened = channels.open("_reliable");
        assertThat(channels.send("_reliable", "early".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(channels.send("_lossy", new byte[] {1})).as("no such channel").isFalse();
        assertThat(opened).isNotDone();
        establish();
        assertThat(opened).isDone();
        List<Object[]> data = dataSent();
        assertThat(data).hasSize(2);
        assertThat(data.get(0)[0]).as("the DTLS server's streams are odd").isEqualTo(1);
        assertThat(data.get(0)[1]).isEqualTo(50);
        assertThat(new String((byte[]) data.get(0)[2], 12, 9, StandardCharsets.UTF_8)).isEqualTo("_reliable");
        assertThat(data.get(1)[1]).isEqualTo(53);
        assertThat(new String((byte[]) data.get(1)[2], StandardCharsets.UTF_8)).isEqualTo("early");
    }
}
