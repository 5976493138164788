package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.gateway.sip.RtpPorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both directions of the bridge driven tick by tick over loopback sockets, without LiveKit. */
class BridgeClockTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void phoneToRoomTurnsEachRtpPacketIntoTwoTenMillisecondFramesAndDigits() throws Exception {
        try (DatagramChannel gateway = bound(); DatagramChannel phone = bound()) {
            List<short[]> frames = new ArrayList<>();
            List<Character> digits = new ArrayList<>();
            int[] seen = {0};
            CallerRtp caller = new CallerRtp("c", () -> localAddress(phone), LOOPBACK, MediaProtection.PLAIN);
            PhoneToRoom bridge = new PhoneToRoom("c", gateway, caller, Codec.PCMU, 0, 101, 48000, frames::add,
                    digits::add, () -> seen[0]++);
            short[] tone = ResamplerTest.tone(8000, 440, 800, 8000);
            for (int p = 0; p < 5; p++) {
                byte[] payload = new byte[160];
                for (int i = 0; i < 160; i++) {
                    payload[i] = G711.encodeUlaw(tone[p * 160 + i]);
                }
                send(phone, gateway, new RtpPacket(0, p == 0, p, p * 160L, 9, payload));
            }
            send(phone, gateway, new RtpPacket(101, false, 5, 900, 9, TelephoneEvent.ofDigit('7', true, 10, 800)
                    .toPayload()));
            for (int tick = 0; tick < 4; tick++) {
                bridge.tick();
            }
            assertThat(digits).containsExactly('7');
            assertThat(seen[0]).isPositive();
            assertThat(frames).hasSize(8).allSatisfy(frame -> assertThat(frame).hasSize(480));
        }
    }

    @Test
    void roomToPhoneMixesTracksAndWaitsFortyMillisecondsBeforePlaying() throws Exception {
        try (Line line = Line.open(41000)) {
            DatagramChannel phone = line.phone().rtp();
            RoomToPhone bridge = line.bridge();
            short[] a = ResamplerTest.tone(48000, 440, 4800, 4000);
            short[] b = ResamplerTest.tone(48000, 1000, 4800, 4000);
            bridge.accept("a", block(a, 0), 48000);
            bridge.tick();
            RtpPacket first = receive(phone);
            assertThat(level(first)).as("10 ms queued of 40: silence").isZero();
            ByteBuffer report = ByteBuffer.allocate(512);
            assertThat(line.phone().rtcp().receive(report)).as("a sender report with the first packet, on the odd port")
                    .isEqualTo(line.gateway().rtcp().getLocalAddress());
            assertThat(report.get(1) & 0xFF).isEqualTo(200);
            assertThat(report.getInt(4) & 0xFFFFFFFFL).isEqualTo(first.ssrc());
            for (int block = 1; block < 10; block++) {
                bridge.accept("a", block(a, block * 480), 48000);
                bridge.accept("b", block(b, block * 480), 48000);
            }
            bridge.tick();
            RtpPacket mixed = receive(phone);
            assertThat(mixed.sequence()).isEqualTo((first.sequence() + 1) & 0xFFFF);
            assertThat(mixed.timestamp()).isEqualTo((first.timestamp() + 160) & 0xFFFFFFFFL);
            assertThat(level(mixed)).as("two tones of amplitude 4000 mixed").isBetween(3000.0, 5000.0);
            assertThat(bridge.packetsSent()).isEqualTo(2);
        }
    }

    @Test
    void aDigitFromTheRoomIsPlayedAsAnRfc4733EventInPlaceOfTheAudio() throws Exception {
        try (Line line = Line.open(42000)) {
            DatagramChannel phone = line.phone().rtp();
            RoomToPhone bridge = line.bridge();
            bridge.tick();
            RtpPacket before = receive(phone);
            bridge.dtmf('9');
            List<RtpPacket> event = new ArrayList<>();
            for (int tick = 0; tick < 8; tick++) {
                bridge.tick();
                event.add(receive(phone));
            }
            bridge.tick();
            RtpPacket after = receive(phone);
            TelephoneEventReceiver receiver = new TelephoneEventReceiver();
            List<Character> heard = new ArrayList<>();
            event.forEach(packet -> heard.addAll(receiver.receive(packet)));
            assertThat(heard).containsExactly('9');
            assertThat(event).allSatisfy(packet -> {
                assertThat(packet.payloadType()).isEqualTo(101);
                assertThat(packet.timestamp()).isEqualTo((before.timestamp() + 160) & 0xFFFFFFFFL);
            });
            assertThat(event.get(0).marker()).isTrue();
            assertThat(TelephoneEvent.parse(event.get(7).payload()).end()).isTrue();
            assertThat(after.payloadType()).isZero();
            assertThat(after.marker()).as("audio after the event starts a talkspurt").isTrue();
            assertThat(after.sequence()).isEqualTo((before.sequence() + 9) & 0xFFFF);
            assertThat(after.timestamp()).isEqualTo((before.timestamp() + 9 * 160) & 0xFFFFFFFFL);
        }
    }

    /** The gateway's and the phone's RTP/RTCP port pairs on loopback, and the bridge from the one to the other. */
    private record Line(RtpPorts.Pair gateway, RtpPorts.Pair phone) implements AutoCloseable {
        static Line open(int firstPort) throws java.io.IOException {
            RtpPorts ports = new RtpPorts(LOOPBACK, firstPort, firstPort + 999);
            return new Line(ports.allocate(), ports.allocate());
        }

        RoomToPhone bridge() {
            return new RoomToPhone("c", gateway.rtp(), gateway.rtcp(), Codec.PCMU, new RtpSender(0, "c"), 101,
                    () -> java.util.Optional.of(localAddress(phone.rtp())), MediaProtection.PLAIN);
        }

        @Override
        public void close() throws java.io.IOException {
            gateway.close();
            phone.close();
        }
    }

    private static DatagramChannel bound() throws Exception {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static InetSocketAddress localAddress(DatagramChannel channel) {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(DatagramChannel from, DatagramChannel to, RtpPacket packet) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(packet.length());
        packet.writeTo(buffer);
        buffer.flip();
        from.send(buffer, to.getLocalAddress());
    }

    /** Loopback delivers a datagram before send returns, so it is there to take. */
    private static RtpPacket receive(DatagramChannel channel) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        assertThat(channel.receive(buffer)).as("a packet on the phone's port").isNotNull();
        buffer.flip();
        return RtpPacket.parse(buffer);
    }

    private static short[] block(short[] samples, int from) {
        return Arrays.copyOfRange(samples, from, from + 480);
    }

    private static double level(RtpPacket packet) {
        double sum = 0;
        for (byte code : packet.payload()) {
            short sample = G711.decodeUlaw(code);
            sum += (double) sample * sample;
        }
        return Math.sqrt(sum / packet.payload().length);
    }
}
