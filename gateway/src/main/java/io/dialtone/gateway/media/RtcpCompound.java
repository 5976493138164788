package io.dialtone.gateway.media;

import java.nio.ByteBuffer;

/**
 * The validity check RFC 3550 (appendix A.2) gives for a compound RTCP packet, which is all the gateway reads of a
 * caller's reports: they count as a sign of life (a caller on hold may send reports and no RTP), and random bytes on
 * the RTCP port must not.
 */
public final class RtcpCompound {
    private static final int SENDER_REPORT = 200;
    private static final int RECEIVER_REPORT = 201;

    private RtcpCompound() {
    }

    /**
     * True when the datagram is a well-formed compound packet: version 2 throughout, a sender or receiver report
     * first, no padding but in the last packet, and lengths that add up to exactly the datagram.
     */
    public static boolean isValid(ByteBuffer datagram) {
        int start = datagram.position();
        int end = datagram.limit();
        if (end - start < 4) {
            return false;
        }
        int first = datagram.get(start) & 0xFF;
        int type = datagram.get(start + 1) & 0xFF;
        if (first >> 6 != 2 || (first & 0x20) != 0 || (type != SENDER_REPORT && type != RECEIVER_REPORT)) {
            return false;
        }
        int offset = start;
        while (offset + 4 <= end) {
            int header = datagram.get(offset) & 0xFF;
            if (header >> 6 != 2) {
                return false;
            }
            int next = offset + 4 * ((datagram.getShort(offset + 2) & 0xFFFF) + 1);
            if ((header & 0x20) != 0 && next != end) {
                return false;
            }
            offset = next;
        }
        return offset == end;
    }
}
