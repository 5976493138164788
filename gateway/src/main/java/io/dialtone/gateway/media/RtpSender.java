package io.dialtone.gateway.media;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * The gateway's outgoing RTP stream towards the phone: one SSRC, sequence numbers and timestamps starting at
 * random values (RFC 3550 5.1), the marker bit on the first packet of a talkspurt, and RTCP sender reports that tie
 * the RTP clock to wall-clock time and count what was sent.
 */
public final class RtpSender {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long NTP_EPOCH_OFFSET_SECONDS = 2_208_988_800L;

    private final int payloadType;
    private final long ssrc;
    private final byte[] cname;
    private int sequence;
    private long timestamp;
    private boolean talkspurtStart = true;
    private long packets;
    private long octets;

    public RtpSender(int payloadType, String cname) {
        this(payloadType, cname, RANDOM.nextInt() & 0xFFFFFFFFL, RANDOM.nextInt(0x10000),
                RANDOM.nextInt() & 0xFFFFFFFFL);
    }

    RtpSender(int payloadType, String cname, long ssrc, int firstSequence, long firstTimestamp) {
        this.payloadType = payloadType;
        this.cname = cname.getBytes(StandardCharsets.UTF_8);
        if (this.cname.length > 255) {
            throw new IllegalArgumentException("an RTCP CNAME has at most 255 bytes");
        }
        this.ssrc = ssrc;
        this.sequence = firstSequence;
        this.timestamp = firstTimestamp;
    }

    /** The packet carrying one frame of {@code samples} samples, which advances the stream. */
    public synchronized RtpPacket next(byte[] payload, int samples) {
        RtpPacket packet = new RtpPacket(payloadType, talkspurtStart, sequence, timestamp, ssrc, payload);
        talkspurtStart = false;
        sequence = (sequence + 1) & 0xFFFF;
        timestamp = (timestamp + samples) & 0xFFFFFFFFL;
        packets++;
        octets += payload.length;
        return packet;
    }

    /**
     * A packet of an RFC 4733 event, sent in place of a frame of {@code samples}: it carries the event's start
     * timestamp and the next sequence number while the stream's clock moves on; audio after the event's last packet
     * starts a new talkspurt.
     */
    public synchronized RtpPacket event(int eventPayloadType, long eventTimestamp, boolean marker, byte[] payload,
                                        int samples, boolean last) {
        RtpPacket packet = new RtpPacket(eventPayloadType, marker, sequence, eventTimestamp, ssrc, payload);
        sequence = (sequence + 1) & 0xFFFF;
        timestamp = (timestamp + samples) & 0xFFFFFFFFL;
        packets++;
        octets += payload.length;
        talkspurtStart = last;
        return packet;
    }

    public synchronized long timestamp() {
        return timestamp;
    }

    /** A compound RTCP packet: a sender report for now, and the SDES CNAME RFC 3550 requires with it. */
    public synchronized byte[] senderReport(Instant now) {
        int sdesLength = 4 + 4 + 2 + cname.length + 1;
        int sdesPadded = (sdesLength + 3) / 4 * 4;
        ByteBuffer out = ByteBuffer.allocate(28 + sdesPadded);
        out.put((byte) 0x80).put((byte) 200).putShort((short) 6).putInt((int) ssrc);
        long seconds = now.getEpochSecond() + NTP_EPOCH_OFFSET_SECONDS;
        long fraction = ((long) now.getNano() << 32) / 1_000_000_000L;
        out.putInt((int) seconds).putInt((int) fraction);
        out.putInt((int) timestamp).putInt((int) packets).putInt((int) octets);
        out.put((byte) 0x81).put((byte) 202).putShort((short) (sdesPadded / 4 - 1)).putInt((int) ssrc);
        out.put((byte) 1).put((byte) cname.length).put(cname);
        return out.array();
    }

    public long ssrc() {
        return ssrc;
    }

    public synchronized long packets() {
        return packets;
    }
}
