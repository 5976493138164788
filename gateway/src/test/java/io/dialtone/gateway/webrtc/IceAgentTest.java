package io.dialtone.gateway.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IceAgentTest {
    private static final InetSocketAddress GATEWAY = new InetSocketAddress("10.0.0.2", 40000);
    private static final InetSocketAddress LIVEKIT = new InetSocketAddress("10.0.0.1", 50000);
    private static final InetSocketAddress LIVEKIT_OTHER = new InetSocketAddress("10.0.0.3", 50000);

    private final IceAgent gateway = new IceAgent(IceAgent.Credentials.random(), true);
    private final IceAgent livekit = new IceAgent(IceAgent.Credentials.random(), false);

    IceAgentTest() {
        gateway.remote(livekit.local());
        livekit.remote(gateway.local());
    }

    /** Delivers {@code out} from {@code sender}'s address to {@code receiver}; its answer, if any. */
    private static Optional<IceAgent.Outgoing> deliver(IceAgent receiver, IceAgent.Outgoing out, InetSocketAddress from) {
        return receiver.received(ByteBuffer.wrap(out.datagram()), from, 0);
    }

    @Test
    void theControllingSideTakesTheFirstPairThatAnswersThenNominatesItAlone() {
        gateway.candidate(LIVEKIT_OTHER);
        gateway.candidate(LIVEKIT);
        List<IceAgent.Outgoing> checks = gateway.checks();
        assertThat(checks).extracting(IceAgent.Outgoing::to).containsExactly(LIVEKIT_OTHER, LIVEKIT);
        assertThat(Stun.parse(ByteBuffer.wrap(checks.get(1).datagram())).orElseThrow().useCandidate()).isFalse();

        IceAgent.Outgoing answer = deliver(livekit, checks.get(1), GATEWAY).orElseThrow();
        assertThat(answer.to()).isEqualTo(GATEWAY);
        assertThat(deliver(gateway, answer, LIVEKIT)).isEmpty();
        assertThat(gateway.selected()).contains(LIVEKIT);
        assertThat(gateway.validated(LIVEKIT)).isTrue();
        assertThat(gateway.validated(LIVEKIT_OTHER)).isFalse();

        List<IceAgent.Outgoing> nomination = gateway.checks();
        assertThat(nomination).singleElement().satisfies(check -> {
            assertThat(check.to()).isEqualTo(LIVEKIT);
            assertThat(Stun.parse(ByteBuffer.wrap(check.datagram())).orElseThrow().useCandidate()).isTrue();
        });
        deliver(livekit, nomination.get(0), GATEWAY);
        assertThat(livekit.selected()).as("the controlled side takes the nominated pair").contains(GATEWAY);
    }

    @Test
    void anAnswerFromAnotherAddressThanTheCheckWentToDoesNotChooseAPair() {
        gateway.candidate(LIVEKIT);
        IceAgent.Outgoing check = gateway.checks().get(0);
        IceAgent.Outgoing answer = deliver(livekit, check, GATEWAY).orElseThrow();
        deliver(gateway, answer, LIVEKIT_OTHER);
        assertThat(gateway.selected()).isEmpty();
    }

    @Test
    void aCheckFromAnUnsignalledAddressIsAnsweredAndCheckedBack() {
        IceAgent.Outgoing check = new IceAgent.Outgoing(GATEWAY, Stun.bindingRequest(new byte[12],
                gateway.local().ufrag() + ":" + livekit.local().ufrag(), gateway.local().password(), 1, false, 7, false));
        assertThat(deliver(gateway, check, LIVEKIT_OTHER)).isPresent();
        assertThat(gateway.checks()).extracting(IceAgent.Outgoing::to).containsExactly(LIVEKIT_OTHER);
    }

    @Test
    void checksWithoutTheConnectionsCredentialsGetNoAnswer() {
        byte[] wrongUser = Stun.bindingRequest(new byte[12], "someone:else", gateway.local().password(), 1, false, 7,
                true);
        byte[] wrongKey = Stun.bindingRequest(new byte[12], gateway.local().ufrag() + ":x", "not-the-password-at-all",
                1, false, 7, true);
        assertThat(gateway.received(ByteBuffer.wrap(wrongUser), LIVEKIT, 0)).isEmpty();
        assertThat(gateway.received(ByteBuffer.wrap(wrongKey), LIVEKIT, 0)).isEmpty();
        assertThat(gateway.received(ByteBuffer.wrap(new byte[] {0, 1, 0, 0}), LIVEKIT, 0)).isEmpty();
        assertThat(gateway.validated(LIVEKIT)).isFalse();
        assertThat(gateway.checks()).isEmpty();
    }

    @Test
    void candidatesAreBounded() {
        for (int port = 1; port <= 100; port++) {
            gateway.candidate(new InetSocketAddress("10.0.0.1", port));
        }
        assertThat(gateway.checks()).hasSize(IceAgent.MAX_CANDIDATES);
    }

    @Test
    void aRestartForgetsThePairAndAnswersOnlyTheNewCredentials() {
        gateway.candidate(LIVEKIT);
        deliver(gateway, deliver(livekit, gateway.checks().get(0), GATEWAY).orElseThrow(), LIVEKIT);
        IceAgent.Credentials old = gateway.local();
        IceAgent.Credentials fresh = IceAgent.Credentials.random();
        gateway.restart(fresh, IceAgent.Credentials.random());
        assertThat(gateway.selected()).isEmpty();
        assertThat(gateway.validated(LIVEKIT)).isFalse();
        byte[] stale = Stun.bindingRequest(new byte[12], old.ufrag() + ":x", old.password(), 1, false, 7, false);
        assertThat(gateway.received(ByteBuffer.wrap(stale), LIVEKIT, 0)).isEmpty();
        byte[] current = Stun.bindingRequest(new byte[12], fresh.ufrag() + ":x", fresh.password(), 1, false, 7, false);
        assertThat(gateway.received(ByteBuffer.wrap(current), LIVEKIT, 0)).isPresent();
    }

    @Test
    void credentialsAreIceCharactersOfTheLengthsRfc8839Asks() {
        IceAgent.Credentials credentials = IceAgent.Credentials.random();
        assertThat(credentials.ufrag()).matches("[A-Za-z0-9+/]{4,256}");
        assertThat(credentials.password()).matches("[A-Za-z0-9+/]{22,256}");
    }
}
