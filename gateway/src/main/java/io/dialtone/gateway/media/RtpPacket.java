package io.dialtone.gateway.media;

import java.nio.ByteBuffer;

/**
 * One RTP packet (RFC 3550): the fixed header fields the gateway acts on and the payload. CSRC lists, header
 * extensions and padding are skipped on the way in and never written.
 */
public record RtpPacket(int payloadType, boolean marker, int sequence, long timestamp, long ssrc, byte[] payload) {
    static final int HEADER_LENGTH = 12;

    public RtpPacket {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payload type " + payloadType + " is outside 0-127");
        }
        sequence &= 0xFFFF;
        timestamp &= 0xFFFFFFFFL;
        ssrc &= 0xFFFFFFFFL;
    }

    /** Thrown for a datagram that is not RTP version 2 or whose lengths do not add up; the caller drops it. */
    public static final class MalformedPacketException extends Exception {
        MalformedPacketException(String message) {
            super(message);
        }
    }

    public static RtpPacket parse(ByteBuffer datagram) throws MalformedPacketException {
        int length = datagram.remaining();
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException(length + " bytes is shorter than an RTP header (12)");
        }
        int start = datagram.position();
        int first = datagram.get(start) & 0xFF;
        if (first >> 6 != 2) {
            throw new MalformedPacketException("RTP version " + (first >> 6) + ", expected 2");
        }
        boolean padding = (first & 0x20) != 0;
        boolean extension = (first & 0x10) != 0;
        int csrcCount = first & 0x0F;
        int second = datagram.get(start + 1) & 0xFF;
        int offset = HEADER_LENGTH + 4 * csrcCount;
        if (extension) {
            if (length < offset + 4) {
                throw new MalformedPacketException("header extension runs past the end of the packet");
            }
            offset += 4 + 4 * (datagram.getShort(start + offset + 2) & 0xFFFF);
        }
        int end = length;
        if (padding) {
            end -= datagram.get(start + length - 1) & 0xFF;
        }
        if (offset > end) {
            throw new MalformedPacketException("headers and padding (" + (offset + length - end)
                    + " bytes) exceed the packet (" + length + " bytes)");
        }
        byte[] payload = new byte[end - offset];
        datagram.get(start + offset, payload);
        return new RtpPacket(second & 0x7F, (second & 0x80) != 0, datagram.getShort(start + 2) & 0xFFFF,
                datagram.getInt(start + 4) & 0xFFFFFFFFL, datagram.getInt(start + 8) & 0xFFFFFFFFL, payload);
    }

    /** Writes header and payload at the buffer's position and advances it. */
    public void writeTo(ByteBuffer out) {
        out.put((byte) 0x80);
        out.put((byte) ((marker ? 0x80 : 0) | payloadType));
        out.putShort((short) sequence);
        out.putInt((int) timestamp);
        out.putInt((int) ssrc);
        out.put(payload);
    }

    public int length() {
        return HEADER_LENGTH + payload.length;
    }
}
