package io.dialtone.gateway.media;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RtcpCompoundTest {
    private final byte[] report = new RtpSender(0, "gateway@dialtone").senderReport(Instant.now());

    @Test
    void aSenderReportWithItsCnameIsValid() {
        assertTrue(RtcpCompound.isValid(ByteBuffer.wrap(report)));
    }

    @Test
    void aReportCutShortOrWithBytesAfterItIsNot() {
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(report, 0, report.length - 4)));
        byte[] longer = java.util.Arrays.copyOf(report, report.length + 4);
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(longer)));
    }

    @Test
    void rtpAndRandomBytesAreNot() {
        byte[] rtp = {(byte) 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(rtp)));
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        byte[] app = report.clone();
        app[1] = (byte) 204;
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(app)), "an APP packet cannot come first");
    }

    @Test
    void paddingOnlyInTheLastPacket() {
        byte[] padded = report.clone();
        padded[0] |= 0x20;
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(padded)));
    }
}
