package io.dialtone.e2e.support;

import io.dialtone.gateway.media.G711;
import io.dialtone.gateway.media.RtpPacket;
import io.dialtone.gateway.media.TelephoneEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** pcap files of RTP as a phone sends it, for sipp's play_pcap_audio, which replays them with their timing. */
public final class RtpPcap {
    private static final int CLOCK_RATE = 8000;
    private static final int FRAME = 160;

    private final ByteBuffer out = ByteBuffer.allocate(4 * 1024 * 1024).order(ByteOrder.LITTLE_ENDIAN);

    private RtpPcap() {
        out.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
    }

    /**
     * RFC 4733 DTMF: per digit, packets every 20 ms with one timestamp and a growing duration, then the end packet
     * three times; 100 ms between digits.
     */
    public static Path dtmf(Path file, String digits, int payloadType) throws IOException {
        RtpPcap pcap = new RtpPcap();
        dtmfPackets(digits, payloadType).forEach(timed -> pcap.record(timed.micros(), timed.packet()));
        return pcap.write(file);
    }

    /** A packet and when a phone sends it, in microseconds from the first. */
    public record Timed(long micros, RtpPacket packet) {
    }

    /** The packets of {@link #dtmf}, for a test that sends them itself. */
    public static java.util.List<Timed> dtmfPackets(String digits, int payloadType) {
        java.util.List<Timed> packets = new java.util.ArrayList<>();
        int sequence = 1000;
        long micros = 0;
        long timestamp = 16000;
        for (char digit : digits.toCharArray()) {
            for (int duration = 160; duration <= 800; duration += 160) {
                packets.add(new Timed(micros, new RtpPacket(payloadType, duration == 160, sequence++, timestamp,
                        0x4733, TelephoneEvent.ofDigit(digit, false, 10, duration).toPayload())));
                micros += 20_000;
            }
            for (int repeat = 0; repeat < 3; repeat++) {
                packets.add(new Timed(micros, new RtpPacket(payloadType, false, sequence++, timestamp, 0x4733,
                        TelephoneEvent.ofDigit(digit, true, 10, 960).toPayload())));
            }
            micros += 100_000;
            timestamp += 960 + CLOCK_RATE / 10;
        }
        return packets;
    }

    /** A PCMU (payload type 0) sine tone in 20 ms packets. */
    public static Path tone(Path file, double hertz, double seconds, double amplitude) throws IOException {
        RtpPcap pcap = new RtpPcap();
        int packets = (int) (seconds * 1000 / 20);
        for (int p = 0; p < packets; p++) {
            byte[] payload = new byte[FRAME];
            for (int i = 0; i < FRAME; i++) {
                int n = p * FRAME + i;
                payload[i] = G711.encodeUlaw((short) Math.round(amplitude * Math.sin(2 * Math.PI * hertz * n / CLOCK_RATE)));
            }
            pcap.record(p * 20_000L, new RtpPacket(0, p == 0, p, (long) p * FRAME, 0x440, payload));
        }
        return pcap.write(file);
    }

    /** An encoded audio stream cut into 20 ms packets of {@code frameBytes} each, on an 8 kHz RTP clock. */
    public static Path frames(Path file, int payloadType, byte[] stream, int frameBytes) throws IOException {
        RtpPcap pcap = new RtpPcap();
        for (int p = 0; (p + 1) * frameBytes <= stream.length; p++) {
            byte[] payload = java.util.Arrays.copyOfRange(stream, p * frameBytes, (p + 1) * frameBytes);
            pcap.record(p * 20_000L, new RtpPacket(payloadType, p == 0, p, (long) p * FRAME, 0x722, payload));
        }
        return pcap.write(file);
    }

    private Path write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, java.util.Arrays.copyOf(out.array(), out.position()));
        return file;
    }

    /** Ethernet, IPv4 and UDP around one RTP packet; sipp takes the UDP payload and the timing. */
    private void record(long micros, RtpPacket packet) {
        int udpLength = 8 + packet.length();
        int frameLength = 14 + 20 + udpLength;
        out.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(frameLength).putInt(frameLength);
        ByteBuffer frame = ByteBuffer.allocate(frameLength);
        frame.put(new byte[12]).putShort((short) 0x0800);
        frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putInt(0).put((byte) 64)
                .put((byte) 17).putShort((short) 0).putInt(0x7F000001).putInt(0x7F000001);
        frame.putShort((short) 40000).putShort((short) 40002).putShort((short) udpLength).putShort((short) 0);
        packet.writeTo(frame);
        out.put(frame.array());
    }
}
