package io.dialtone.gateway.media;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.lang.management.ManagementFactory;
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
 * Each call has a socket towards its phone and one towards the room, on loopback, and every packet comes in on one
 * of them and leaves on the other. The far ends (the phone, LiveKit) send from this process too, so their sends are
 * counted with the gateway's: the figure is an overestimate by one system call per packet. What the far ends
 * receive is dropped by the kernel once their buffers fill. Left out: the jitter buffer and the 20 ms clock the
 * gateway already has, RTCP, ICE consent checks (a STUN request every few seconds), the DTLS and SCTP setup (per
 * call, not per packet), and Opus encoding, which only {@code roomCodec: opus} needs. Runs {@code calls} calls'
 * worth of {@code seconds} of media as fast as one thread can, after as much again for the JIT, and prints the
 * process's CPU time (the collector's included) per call and second of media as a percentage of a core.
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

    /** One call's state: its sockets and keys each way, its Opus decoder, its counters. */
    private static final class LeanCall implements AutoCloseable {
        final DatagramChannel phoneSide = bound();
        final DatagramChannel phone = bound();
        final DatagramChannel roomSide = bound();
        final DatagramChannel room = bound();
        final ByteBuffer received = ByteBuffer.allocate(2048);
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
            SrtpProtection livekit = new SrtpProtection(new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, keyB, keyA));
            roomPackets = new ArrayList<>(packets);
            for (int i = 0; i < packets; i++) {
                byte[] opus = opusFrames.get(i % opusFrames.size());
                RtpPacket packet = new RtpPacket(111, false, i & 0xffff, (long) i * (ROOM_RATE / PACKETS_PER_SECOND),
                        0x1234, opus);
                ByteBuffer plain = ByteBuffer.allocate(packet.length() + 16);
                packet.writeTo(plain);
                plain.flip();
                roomPackets.add(livekit.protectRtp(plain).orElseThrow());
            }
            decoder = new OpusDecoder(PHONE_RATE, 1);
            phoneSide.connect(phone.getLocalAddress());
            phone.connect(phoneSide.getLocalAddress());
            roomSide.connect(room.getLocalAddress());
            room.connect(roomSide.getLocalAddress());
        }

        @Override
        public void close() throws Exception {
            for (DatagramChannel channel : List.of(phoneSide, phone, roomSide, room)) {
                channel.close();
            }
        }
    }

    private static DatagramChannel bound() {
        try {
            return DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<byte[]> opus = toneAsOpus(PACKETS_PER_SECOND);
        byte[] callerPacket = callerPcmuPacket();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String pass : List.of("warm-up", "measured")) {
            List<LeanCall> active = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                active.add(new LeanCall(opus, seconds * PACKETS_PER_SECOND));
            }
            long before = os.getProcessCpuTime();
            long wall = System.nanoTime();
            long forwarded = 0;
            for (int tick = 0; tick < seconds * PACKETS_PER_SECOND; tick++) {
                for (LeanCall call : active) {
                    forwarded += phoneToRoom(call, callerPacket) + roomToPhone(call);
                }
            }
            double used = (os.getProcessCpuTime() - before) / 1e9;
            System.out.printf("BENCH %s: %d calls x %d s of media both ways: %.2f s of CPU (%.2f s wall), %d packets"
                            + " forwarded; %.3f %% of a core per call (%.1f us per packet, both directions together)%n",
                    pass, calls, seconds, used, (System.nanoTime() - wall) / 1e9, forwarded,
                    100.0 * used / calls / seconds, 1e6 * used / forwarded);
            for (LeanCall call : active) {
                call.close();
            }
        }
    }

    /** The phone's packet in on the phone's socket, out to the room as the room's stream, SRTP-protected. */
    private static int phoneToRoom(LeanCall call, byte[] callerPacket) throws Exception {
        call.phone.write(ByteBuffer.wrap(callerPacket));
        call.received.clear();
        call.phoneSide.receive(call.received);
        call.received.flip();
        RtpPacket caller = RtpPacket.parse(call.received);
        RtpPacket forRoom = new RtpPacket(caller.payloadType(), caller.marker(), call.sequence++ & 0xffff,
                call.timestamp += FRAME, call.ssrc, caller.payload());
        ByteBuffer plain = ByteBuffer.allocate(forRoom.length() + 16);
        forRoom.writeTo(plain);
        plain.flip();
        Optional<ByteBuffer> protectedPacket = call.toRoom.protectRtp(plain);
        if (protectedPacket.isEmpty()) {
            return 0;
        }
        call.roomSide.write(protectedPacket.get());
        return 1;
    }

    /** The room's Opus in on the room's socket, checked, decoded to 8 kHz, out to the phone as PCMU. */
    private static int roomToPhone(LeanCall call) throws Exception {
        call.room.write(call.roomPackets.get(call.next++));
        call.received.clear();
        call.roomSide.receive(call.received);
        call.received.flip();
        Optional<ByteBuffer> plain = call.fromRoom.unprotectRtp(call.received);
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
        call.phoneSide.write(datagram);
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
}
