package io.dialtone.gateway.media;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Not a test (bench/lean-media.sh runs it): what a bridged G.711 call's media would cost in plain Java without
 * libwebrtc, the evidence behind the media engine decision in docs/benchmarks.md. Per call and per 20 ms, both
 * directions as the gateway would do them once LiveKit takes the caller's G.711 as it is:
 * <ul>
 *   <li>phone to room: parse the caller's PCMU packet, rewrite its header for the room (SSRC, sequence,
 *   timestamp), SRTP-protect it (AES-CM-128, HMAC-SHA1-80, jitsi-srtp as the gateway uses for SDES) and send it
 *   on a UDP socket;</li>
 *   <li>room to phone: SRTP-check an Opus packet from the room (a 1 kHz tone at 48 kHz, 32 kbit/s, encoded up
 *   front), decode it straight to 8 kHz (Concentus, pure Java), encode G.711 μ-law, build the RTP packet and send
 *   it.</li>
 * </ul>
 * Sockets are real (loopback, to a sink that drains nothing: the kernel drops what overflows). Left out: the
 * jitter buffer and the 20 ms clock the gateway already has, RTCP, ICE consent checks (a STUN request every few
 * seconds), and the DTLS and SCTP setup, which cost per call, not per packet. Runs {@code calls} calls' worth of
 * {@code seconds} of media as fast as one thread can, after as much again for the JIT, and prints the thread's CPU
 * time per call and second of media as a percentage of a core.
 *
 * <p>{@code java ... LeanMediaPathBenchmark [calls, default 50] [seconds of media, default 20]}
 */
public final class LeanMediaPathBenchmark {
    private static final int PHONE_RATE = 8000;
    private static final int FRAME = PHONE_RATE / 50;
    private static final int ROOM_RATE = 48000;
    private static final int PACKETS_PER_SECOND = 50;

    private LeanMediaPathBenchmark() {
    }

    /** One call's state: its keys each way, its Opus decoder, its counters. */
    private static final class LeanCall {
        final SrtpProtection toRoom;
        final SrtpProtection fromRoom;
        final OpusDecoder decoder;
        final List<ByteBuffer> roomPackets;
        final long ssrc = ThreadLocalRandom.current().nextInt() & 0xffffffffL;
        final short[] pcm = new short[FRAME];
        final byte[] ulaw = new byte[FRAME];
        int sequence;
        long timestamp;
        int next;

        LeanCall(List<byte[]> opusFrames, int packets) throws Exception {
            byte[] keyA = randomKey();
            byte[] keyB = randomKey();
            toRoom = new SrtpProtection(new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, keyB, keyA));
            fromRoom = new SrtpProtection(new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, keyA, keyB));
            // What LiveKit would send: the room's Opus packets, protected with the room side's key.
            SrtpProtection room = new SrtpProtection(new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, keyB, keyA));
            roomPackets = new ArrayList<>(packets);
            for (int i = 0; i < packets; i++) {
                byte[] opus = opusFrames.get(i % opusFrames.size());
                RtpPacket packet = new RtpPacket(111, false, i & 0xffff, (long) i * (ROOM_RATE / PACKETS_PER_SECOND),
                        0x1234, opus);
                ByteBuffer plain = ByteBuffer.allocate(packet.length() + 16);
                packet.writeTo(plain);
                plain.flip();
                roomPackets.add(room.protectRtp(plain).orElseThrow());
            }
            decoder = new OpusDecoder(PHONE_RATE, 1);
        }
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<byte[]> opus = toneAsOpus(PACKETS_PER_SECOND);
        byte[] callerPacket = callerPcmuPacket();
        try (DatagramChannel sink = DatagramChannel.open(); DatagramChannel out = DatagramChannel.open()) {
            sink.bind(new InetSocketAddress("127.0.0.1", 0));
            out.connect(sink.getLocalAddress());
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            for (String pass : List.of("warm-up", "measured")) {
                List<LeanCall> active = new ArrayList<>();
                for (int c = 0; c < calls; c++) {
                    active.add(new LeanCall(opus, seconds * PACKETS_PER_SECOND));
                }
                long before = cpu.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                long sent = 0;
                for (int tick = 0; tick < seconds * PACKETS_PER_SECOND; tick++) {
                    for (LeanCall call : active) {
                        sent += phoneToRoom(call, callerPacket, out) + roomToPhone(call, out);
                    }
                }
                double used = (cpu.getCurrentThreadCpuTime() - before) / 1e9;
                System.out.printf("BENCH %s: %d calls x %d s of media both ways: %.2f s of CPU (%.2f s wall), %d packets"
                                + " sent; %.3f %% of a core per call (%.1f us per packet each way)%n", pass, calls,
                        seconds, used, (System.nanoTime() - wall) / 1e9, sent, 100.0 * used / calls / seconds,
                        1e6 * used / sent);
                drain(sink);
            }
        }
    }

    private static int phoneToRoom(LeanCall call, byte[] callerPacket, DatagramChannel out) throws Exception {
        RtpPacket caller = RtpPacket.parse(ByteBuffer.wrap(callerPacket));
        RtpPacket forRoom = new RtpPacket(caller.payloadType(), caller.marker(), call.sequence++ & 0xffff,
                call.timestamp += FRAME, call.ssrc, caller.payload());
        ByteBuffer plain = ByteBuffer.allocate(forRoom.length() + 16);
        forRoom.writeTo(plain);
        plain.flip();
        Optional<ByteBuffer> protectedPacket = call.toRoom.protectRtp(plain);
        if (protectedPacket.isEmpty()) {
            return 0;
        }
        out.write(protectedPacket.get());
        return 1;
    }

    private static int roomToPhone(LeanCall call, DatagramChannel out) throws Exception {
        ByteBuffer received = call.roomPackets.get(call.next++).duplicate();
        Optional<ByteBuffer> plain = call.fromRoom.unprotectRtp(received);
        if (plain.isEmpty()) {
            throw new IllegalStateException("the room's packet did not authenticate");
        }
        RtpPacket packet = RtpPacket.parse(plain.get());
        byte[] payload = packet.payload();
        int samples = call.decoder.decode(payload, 0, payload.length, call.pcm, 0, FRAME, false);
        for (int i = 0; i < samples; i++) {
            call.ulaw[i] = G711.encodeUlaw(call.pcm[i]);
        }
        RtpPacket toPhone = new RtpPacket(0, false, packet.sequence(), (long) packet.sequence() * FRAME, call.ssrc,
                call.ulaw.clone());
        ByteBuffer datagram = ByteBuffer.allocate(toPhone.length());
        toPhone.writeTo(datagram);
        datagram.flip();
        out.write(datagram);
        return 1;
    }

    /** A second of a 1 kHz tone as 20 ms Opus frames, 48 kHz mono at 32 kbit/s, as a WebRTC client would send. */
    private static List<byte[]> toneAsOpus(int frames) throws Exception {
        OpusEncoder encoder = new OpusEncoder(ROOM_RATE, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.setBitrate(32000);
        int samples = ROOM_RATE / PACKETS_PER_SECOND;
        List<byte[]> encoded = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            short[] pcm = new short[samples];
            for (int i = 0; i < samples; i++) {
                pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * 1000 * (f * samples + i) / ROOM_RATE));
            }
            byte[] out = new byte[1275];
            int length = encoder.encode(pcm, 0, samples, out, 0, out.length);
            encoded.add(java.util.Arrays.copyOf(out, length));
        }
        return encoded;
    }

    private static byte[] callerPcmuPacket() {
        byte[] payload = new byte[FRAME];
        for (int i = 0; i < FRAME; i++) {
            payload[i] = G711.encodeUlaw((short) (8000 * Math.sin(2 * Math.PI * 440 * i / PHONE_RATE)));
        }
        RtpPacket packet = new RtpPacket(0, false, 1, FRAME, 0x440, payload);
        ByteBuffer datagram = ByteBuffer.allocate(packet.length());
        packet.writeTo(datagram);
        return datagram.array();
    }

    private static byte[] randomKey() {
        byte[] key = new byte[SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES];
        ThreadLocalRandom.current().nextBytes(key);
        return key;
    }

    private static void drain(DatagramChannel sink) throws Exception {
        sink.configureBlocking(false);
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        while (sink.receive(buffer) != null) {
            buffer.clear();
        }
        sink.configureBlocking(true);
    }
}
