package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RTP latching: only the caller's packets reach the call, whatever a stranger sends to its port. */
class CallerRtpTest {
    private static final InetSocketAddress DECLARED = new InetSocketAddress("192.0.2.10", 40000);
    /** The caller's NAT: its INVITE came from this host, its RTP from a port its SDP could not know. */
    private static final InetSocketAddress NATTED = new InetSocketAddress("198.51.100.7", 61000);
    private static final InetSocketAddress DECLARED_HOST_OTHER_PORT = new InetSocketAddress("192.0.2.10", 40002);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("203.0.113.66", 40000);
    private static final int PCMU = 0;
    private static final int EVENTS = 101;

    private final List<Character> digits = new ArrayList<>();
    private final CallerRtp caller = new CallerRtp("call-1", () -> DECLARED, NATTED.getAddress(),
            MediaProtection.PLAIN);

    @Test
    void theDeclaredAddressIsTheCallersWithAnySsrc() {
        assertThat(read(DECLARED, PCMU, 1)).isInstanceOf(CallerRtp.Heard.Audio.class);
        assertThat(read(DECLARED, PCMU, 2)).as("a new stream from the caller's address")
                .isInstanceOf(CallerRtp.Heard.Audio.class);
        assertThat(read(STRANGER, PCMU, 1)).isInstanceOf(CallerRtp.Heard.Dropped.class);
        assertThat(caller.foreignPackets()).isEqualTo(1);
    }

    @Test
    void aCallerBehindNatIsLatchedByAddressAndPortAndNobodyElseGetsIn() {
        assertThat(read(NATTED, PCMU, 7)).isInstanceOf(CallerRtp.Heard.Audio.class);
        assertThat(read(NATTED, PCMU, 8)).as("a new stream from the latched source (after hold, a transfer)")
                .isInstanceOf(CallerRtp.Heard.Audio.class);
        InetSocketAddress otherPort = new InetSocketAddress(NATTED.getAddress(), NATTED.getPort() + 2);
        assertThat(read(otherPort, PCMU, 7)).as("another port of the caller's NAT")
                .isInstanceOf(CallerRtp.Heard.Dropped.class);
        assertThat(read(STRANGER, PCMU, 7)).as("the latched SSRC from elsewhere")
                .isInstanceOf(CallerRtp.Heard.Dropped.class);
        assertThat(caller.foreignPackets()).isEqualTo(2);
    }

    @Test
    void aMovedAddressOpensTheLatchAgain() {
        read(NATTED, PCMU, 7);
        InetSocketAddress moved = new InetSocketAddress(NATTED.getAddress(), NATTED.getPort() + 2);
        assertThat(read(moved, PCMU, 7)).isInstanceOf(CallerRtp.Heard.Dropped.class);
        caller.reopen();
        assertThat(read(moved, PCMU, 7)).isInstanceOf(CallerRtp.Heard.Audio.class);
    }

    @Test
    void aStrangerHeardFirstIsNotLatched() {
        assertThat(read(STRANGER, PCMU, 9)).isInstanceOf(CallerRtp.Heard.Dropped.class);
        assertThat(read(NATTED, PCMU, 7)).isInstanceOf(CallerRtp.Heard.Audio.class);
    }

    @Test
    void theDeclaredAddressTakesOverFromAnotherPortOfItsHost() {
        assertThat(read(DECLARED_HOST_OTHER_PORT, PCMU, 9)).isInstanceOf(CallerRtp.Heard.Audio.class);
        assertThat(read(DECLARED, PCMU, 1)).isInstanceOf(CallerRtp.Heard.Audio.class);
        assertThat(read(DECLARED_HOST_OTHER_PORT, PCMU, 9)).isInstanceOf(CallerRtp.Heard.Dropped.class);
    }

    @Test
    void digitsFromAStrangerAreNeverPressed() {
        read(DECLARED, PCMU, 1);
        read(STRANGER, EVENTS, 1, event(5));
        assertThat(digits).isEmpty();
        read(DECLARED, EVENTS, 1, event(5));
        assertThat(digits).containsExactly('5');
    }

    @Test
    void whatIsNotRtpIsDroppedAndAnotherPayloadTypeIsASignOfLife() {
        ByteBuffer junk = ByteBuffer.wrap(new byte[] {1, 2, 3});
        assertThat(caller.read(DECLARED, junk, PCMU, EVENTS, digits::add)).isInstanceOf(CallerRtp.Heard.Dropped.class);
        assertThat(read(DECLARED, 13, 1)).isInstanceOf(CallerRtp.Heard.Other.class);
    }

    private CallerRtp.Heard read(InetSocketAddress from, int payloadType, long ssrc) {
        return read(from, payloadType, ssrc, new byte[160]);
    }

    private CallerRtp.Heard read(InetSocketAddress from, int payloadType, long ssrc, byte[] payload) {
        ByteBuffer datagram = ByteBuffer.allocate(1500);
        new RtpPacket(payloadType, false, 1, 160, ssrc, payload).writeTo(datagram);
        datagram.flip();
        return caller.read(from, datagram, PCMU, EVENTS, digits::add);
    }

    /** The end packet of an RFC 4733 event for {@code digit}. */
    private static byte[] event(int digit) {
        return TelephoneEvent.ofDigit((char) ('0' + digit), true, 10, 800).toPayload();
    }

    @Test
    void onlyTheCallersHostsReportsCountAsASignOfLife() {
        byte[] report = new RtpSender(PCMU, "caller@example").senderReport(java.time.Instant.now());
        InetSocketAddress declaredRtcp = new InetSocketAddress(DECLARED.getAddress(), DECLARED.getPort() + 1);
        assertThat(caller.isCallersReport(declaredRtcp, ByteBuffer.wrap(report))).isTrue();
        assertThat(caller.isCallersReport(NATTED, ByteBuffer.wrap(report))).as("from the INVITE's host").isTrue();
        assertThat(caller.isCallersReport(STRANGER, ByteBuffer.wrap(report))).isFalse();
        assertThat(caller.isCallersReport(declaredRtcp, ByteBuffer.wrap(new byte[] {1, 2, 3, 4})))
                .as("not RTCP").isFalse();
    }
}
