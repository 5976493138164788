package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
    @Test
    void aPacketSurvivesWritingAndParsing() throws Exception {
        RtpPacket packet = new RtpPacket(0, true, 65535, 0xFFFFFFF0L, 0xCAFEBABEL, new byte[] {1, 2, 3});
        ByteBuffer buffer = ByteBuffer.allocate(packet.length());
        packet.writeTo(buffer);
        buffer.flip();
        RtpPacket parsed = RtpPacket.parse(buffer);
        assertThat(parsed.payloadType()).isZero();
        assertThat(parsed.marker()).isTrue();
        assertThat(parsed.sequence()).isEqualTo(65535);
        assertThat(parsed.timestamp()).isEqualTo(0xFFFFFFF0L);
        assertThat(parsed.ssrc()).isEqualTo(0xCAFEBABEL);
        assertThat(parsed.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void csrcsExtensionsAndPaddingAreSkipped() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(40);
        buffer.put((byte) (0x80 | 0x20 | 0x10 | 1)).put((byte) 8).putShort((short) 7).putInt(160).putInt(42);
        buffer.putInt(99);                                   // one CSRC
        buffer.putShort((short) 0xBEDE).putShort((short) 1).putInt(0x11223344); // one-word extension
        buffer.put(new byte[] {9, 8, 7, 6});                  // payload
        buffer.put(new byte[] {0, 0, 3});                     // three bytes of padding, the last says so
        buffer.flip();
        RtpPacket parsed = RtpPacket.parse(buffer);
        assertThat(parsed.payloadType()).isEqualTo(8);
        assertThat(parsed.payload()).containsExactly(9, 8, 7, 6);
    }

    @Test
    void whatIsNotRtpIsRefusedWithAReason() {
        assertThatThrownBy(() -> RtpPacket.parse(ByteBuffer.wrap(new byte[5])))
                .hasMessage("5 bytes is shorter than an RTP header (12)");
        byte[] stun = new byte[20];
        stun[0] = 0x00;
        assertThatThrownBy(() -> RtpPacket.parse(ByteBuffer.wrap(stun))).hasMessage("RTP version 0, expected 2");
        byte[] padded = new byte[12];
        padded[0] = (byte) 0xA0;
        padded[11] = 40;
        assertThatThrownBy(() -> RtpPacket.parse(ByteBuffer.wrap(padded)))
                .hasMessageContaining("exceed the packet (12 bytes)");
    }
}
