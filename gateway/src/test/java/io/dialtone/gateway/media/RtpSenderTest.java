package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RtpSenderTest {
    @Test
    void sequenceAndTimestampAdvanceAndWrapAndTheMarkerStartsEachTalkspurt() {
        RtpSender sender = new RtpSender(0, "gw@example", 0x1234L, 65535, 0xFFFFFF00L);
        RtpPacket first = sender.next(new byte[160], 160);
        RtpPacket second = sender.next(new byte[160], 160);
        RtpPacket event = sender.event(101, 0xFFFFFFA0L, true, new byte[4], 160, true);
        RtpPacket afterEvent = sender.next(new byte[160], 160);
        assertThat(first.marker()).isTrue();
        assertThat(second.marker()).isFalse();
        assertThat(event.payloadType()).isEqualTo(101);
        assertThat(afterEvent.marker()).isTrue();
        assertThat(second.sequence()).isZero();
        assertThat(second.timestamp()).isEqualTo(0xFFFFFFA0L);
        assertThat(afterEvent.sequence()).isEqualTo(2);
        assertThat(afterEvent.timestamp()).isEqualTo(0xE0L);
        assertThat(afterEvent.ssrc()).isEqualTo(0x1234L);
    }

    @Test
    void theSenderReportCountsWhatWasSentAndCarriesTheCname() {
        RtpSender sender = new RtpSender(8, "gw", 0xABCDL, 0, 1000);
        sender.next(new byte[160], 160);
        sender.next(new byte[160], 160);
        ByteBuffer report = ByteBuffer.wrap(sender.senderReport(Instant.parse("1970-01-01T00:00:01.5Z")));
        assertThat(report.get(0) & 0xFF).isEqualTo(0x80);
        assertThat(report.get(1) & 0xFF).isEqualTo(200);
        assertThat(report.getShort(2)).isEqualTo((short) 6);
        assertThat(report.getInt(4)).isEqualTo(0xABCD);
        assertThat(report.getInt(8) & 0xFFFFFFFFL).isEqualTo(2_208_988_801L);
        assertThat(report.getInt(12) & 0xFFFFFFFFL).isEqualTo(0x80000000L);
        assertThat(report.getInt(16)).isEqualTo(1320);
        assertThat(report.getInt(20)).isEqualTo(2);
        assertThat(report.getInt(24)).isEqualTo(320);
        assertThat(report.get(29) & 0xFF).isEqualTo(202);
        assertThat(report.get(36)).isEqualTo((byte) 1);
        assertThat(report.get(37)).isEqualTo((byte) 2);
        assertThat(new String(report.array(), 38, 2)).isEqualTo("gw");
        assertThat(report.capacity() % 4).isZero();
    }
}
