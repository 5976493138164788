package io.dialtone.gateway.webrtc;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * What reaches the media engine's sockets and its SDP parsers, fuzzed as {@code WireFormatFuzzTest} does the SIP
 * side: each target must turn any input into a result or the one exception its parser declares. bench/fuzz.sh runs
 * them as {@code PeerWireFuzzTest#<target>}.
 */
class PeerWireFuzzTest {
    private static final String FUZZ_FOR = "2h";
    private static final long EXECUTIONS = 10_000_000;
    private static final InetSocketAddress FROM = new InetSocketAddress("10.0.0.1", 50000);

    /** A datagram on a peer connection's socket as ICE reads it, on both sides of a connection. */
    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void stunOnAPeerSocket(byte[] datagram) {
        IceAgent.Credentials local = new IceAgent.Credentials("gwufrag1", "gatewaypasswordgatewaypassword");
        IceAgent.Credentials remote = new IceAgent.Credentials("lkufrag1", "livekitpasswordlivekitpassword");
        for (boolean controlling : new boolean[] {true, false}) {
            IceAgent agent = new IceAgent(local, controlling);
            agent.remote(remote);
            agent.candidate(FROM);
            agent.checks();
            agent.received(ByteBuffer.wrap(datagram), FROM, 0);
        }
        Stun.parse(ByteBuffer.wrap(datagram)).ifPresent(message -> message.authentic("gatewaypasswordgatewaypassword"));
    }

    /**
     * SCTP packets out of DTLS into an association the peer started, each given a correct checksum first (or the
     * fuzzer would rarely get past it), then a message of the gateway's own and a resend round.
     */
    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void sctpOutOfDtls(FuzzedDataProvider data) {
        DataChannels channels = new DataChannels(packet -> { }, true, (label, message) -> { });
        channels.open("_reliable");
        while (data.remainingBytes() > 0) {
            byte[] packet = data.consumeBytes(data.consumeInt(0, 1500));
            if (packet.length >= 12 && data.consumeBoolean()) {
                Arrays.fill(packet, 8, 12, (byte) 0);
                CRC32C crc = new CRC32C();
                crc.update(packet);
                ByteBuffer.wrap(packet, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
            }
            channels.receive(packet);
        }
        channels.send("_reliable", new byte[] {1, 2, 3});
        channels.tick();
    }

    /** An offer or answer from LiveKit, and the answer the gateway would make to it. */
    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void sdpFromLiveKit(FuzzedDataProvider data) {
        String sdp = data.consumeRemainingAsString();
        try {
            RemoteDescription.parse(sdp);
        } catch (RemoteDescription.InvalidDescription refused) {
            // Refused with a reason.
        }
        try {
            LocalDescription.answer(new IceAgent.Credentials("gwufrag1", "gatewaypasswordgatewaypassword"),
                    "sha-256 AA", FROM, OfferedSections.parse(sdp));
        } catch (RemoteDescription.InvalidDescription refused) {
            // Refused with a reason.
        }
    }
}
