package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.api.v1alpha1.RoomCodec;
import io.dialtone.config.LoadedConfig;
import io.dialtone.config.RoutingDocuments;
import io.dialtone.gateway.call.FakeRoomLegs;
import io.dialtone.gateway.call.ManualScheduler;
import io.dialtone.gateway.media.FrameClock;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import io.dialtone.routing.RoutingTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The call core in-process: a {@link Call} driven event by event, as the SIP stack, the room leg and the timers
 * would post them, with a room leg the test completes by hand and time the test moves. Each race the call core
 * must win is played out in both orders, since on one loop the only question is which event comes first.
 */
class CallFlowTest {
    private static final String CONFIG = """
            apiVersion: dialtone.io/v1alpha1
            kind: SipGateway
            metadata: {name: gw}
            spec:
              livekit: {url: "http://127.0.0.1:7880", apiKey: devkey, apiSecret: secret}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: SipTrunk
            metadata: {name: carrier}
            spec: {gatewayRef: gw, numbers: ["+15550100", "+15550101", "+15550102"], ringingTimeout: 30s,
                   maxCallDuration: 1h, attributesToHeaders: {outcome: X-Outcome, "sip.callStatus": X-Status}}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: SipTrunk
            metadata: {name: waits}
            spec: {gatewayRef: gw, numbers: ["+15550200"], answerWhen: firstTrack, ringingTimeout: 30s}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: SipTrunk
            metadata: {name: quiet-line}
            spec: {gatewayRef: gw, numbers: ["+15550300"], media: {timeout: 5s}}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: DispatchRule
            metadata: {name: quiet}
            spec: {gatewayRef: gw, numbers: ["+15550300"], individual: {roomPrefix: quiet-}}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: DispatchRule
            metadata: {name: per-caller}
            spec: {gatewayRef: gw, numbers: ["+15550100", "+15550200"], individual: {roomPrefix: call-}}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: DispatchRule
            metadata: {name: with-agent}
            spec:
              gatewayRef: gw
              numbers: ["+15550101"]
              individual: {roomPrefix: agent-}
              room: {agents: [{agentName: receptionist}]}
            ---
            apiVersion: dialtone.io/v1alpha1
            kind: DispatchRule
            metadata: {name: boardroom}
            spec: {gatewayRef: gw, numbers: ["+15550102"], direct: {roomName: boardroom, pin: "4321"}}
            """;

    private final ManualScheduler clock = new ManualScheduler();
    private final FakeRoomLegs legs = new FakeRoomLegs();
    private final CallRegistry registry = new CallRegistry();
    private final CallStats stats = new CallStats(new SimpleMeterRegistry());
    /**
     * A media clock that never ticks: its one thread waits until the test ends. These tests are about signalling;
     * prompts and audio are covered where they are made (PinCollectorTest, BridgeClockTest, RoomAudioIT).
     */
    private final ScheduledExecutorService mediaClock = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch testOver = new CountDownLatch(1);
    private Duration mediaTimeout = Duration.ofDays(1);
    private final RecordingDialog dialog = new RecordingDialog();
    /** One wrong PIN per source in 15 minutes; the second locks the source out. */
    private final PinAttempts pinAttempts = new PinAttempts(new PinAttempts.Limits(1, 50, Duration.ofMinutes(15),
            Duration.ofMinutes(15)), clock::nanoTime);
    private final List<RtpPorts.Pair> ports = new ArrayList<>();
    private final RoutingTable table;

    CallFlowTest() throws Exception {
        LoadedConfig loaded = RoutingDocuments.parse("test", CONFIG, name -> null);
        table = RoutingTable.build(loaded.config());
        mediaClock.execute(() -> {
            try {
                testOver.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        testOver.countDown();
        mediaClock.shutdownNow();
        for (RtpPorts.Pair pair : ports) {
            pair.close();
        }
    }

    private Call call(boolean bridgeAudio) {
        Call.Services services = new Call.Services(registry, stats, clock, Runnable::run, legs,
                new FrameClock(mediaClock, 1),
                bridgeAudio, RoomCodec.auto, mediaTimeout, "127.0.0.1", table::dispatch, pinAttempts);
        return registry.open("call-1", id -> new Call(id, services));
    }

    /** Posts the INVITE as the SIP side would once it has routed it to {@code to}. */
    private Call invite(String to, boolean bridgeAudio) throws Exception {
        Call call = call(bridgeAudio);
        call.invite(proceed(to), () -> dialog.sent.add("482"));
        return call;
    }

    /** The SIP side's handling of an INVITE to {@code to} that becomes a call. */
    private Supplier<InviteOutcome> proceed(String to) throws Exception {
        return proceed(to, java.util.Optional.empty());
    }

    private Supplier<InviteOutcome> proceed(String to, java.util.Optional<SessionTimer> sessionTimer)
            throws Exception {
        CallRequest request = new CallRequest(InetAddress.getLoopbackAddress(), "udp", "+15557777", "", to,
                "SCL_1", "call-1", Map.of(), PinEntry.NOT_ASKED);
        RoutingTable.TrunkMatch.Found trunk = (RoutingTable.TrunkMatch.Found) table.selectTrunk(request);
        Decision decision = table.dispatch(trunk.trunk(), request);
        CallSetup.Destination destination = decision instanceof Decision.PinRequired pin
                ? new CallSetup.Destination.BehindPin(pin) : new CallSetup.Destination.Room((Decision.Accept) decision);
        RtpPorts.Pair pair = new RtpPorts.Pair(channel(), channel());
        ports.add(pair);
        SdpNegotiator.Negotiated media = new SdpNegotiator(List.of(io.dialtone.api.v1alpha1.Codec.PCMU),
                InetAddress.getLoopbackAddress()).negotiate("""
                v=0\r
                o=- 1 1 IN IP4 127.0.0.1\r
                s=-\r
                c=IN IP4 127.0.0.1\r
                t=0 0\r
                m=audio 40000 RTP/AVP 0 101\r
                a=rtpmap:101 telephone-event/8000\r
                """);
        return () -> new InviteOutcome.Proceed(new CallSetup(trunk.trunk(), destination, media, pair, dialog, request,
                clock.nanoTime(), sessionTimer));
    }

    private static DatagramChannel channel() throws IOException {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static Reply recording(List<Integer> into) {
        return new Reply() {
            @Override
            public void status(int code) {
                into.add(code);
            }

            @Override
            public void sdp(String answer) {
                into.add(200);
            }
        };
    }

    // ---- CANCEL against the answer ----

    @Test
    void aCancelBeforeTheRoomIsReadyEndsIn487AndTheLateRoomIsLeft() throws Exception {
        Call call = invite("+15550100", false);
        assertThat(dialog.sent).containsExactly("180");
        List<Integer> cancelReply = new ArrayList<>();
        call.cancel(recording(cancelReply));
        legs.leg().joined.complete(null);

        assertThat(cancelReply).containsExactly(200);
        assertThat(dialog.finals()).containsExactly("487");
        assertThat(legs.leg().leaves).as("the room joined after the CANCEL is left").isEqualTo(1);
        assertThat(legs.leg().statuses).isEmpty();
        assertThat(registry.size()).isZero();
        assertThat(registry.get("call-1")).isNull();
    }

    @Test
    void aCancelAfterTheAnswerEndsWithByeNot487() throws Exception {
        Call call = invite("+15550100", false);
        legs.leg().joined.complete(null);
        call.cancel(recording(new ArrayList<>()));

        assertThat(dialog.finals()).containsExactly("200");
        assertThat(dialog.sent).containsExactly("180", "200", "BYE");
        assertThat(stats.snapshot().gateway().total()).isEqualTo(1);
        assertThat(stats.snapshot().gateway().active()).isZero();
        assertThat(legs.leg().leaves).isEqualTo(1);
    }

    @Test
    void aCancelThatOvertakesTheInvitesHandlingStillEndsIn487() throws Exception {
        Call call = call(false);
        call.cancel(recording(new ArrayList<>()));
        Call same = invite("+15550100", false);

        assertThat(same).isSameAs(call);
        assertThat(dialog.sent).containsExactly("487");
        assertThat(legs.opened).as("no room for a cancelled call").isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void anInviteThatFindsItsCallJustEndedBecomesACallOfItsOwn() throws Exception {
        Call challenged = call(false);
        challenged.invite(() -> InviteOutcome.DONE, () -> dialog.sent.add("482"));
        assertThat(registry.get("call-1")).as("a challenged INVITE leaves no call").isNull();
        challenged.invite(proceed("+15550100"), () -> dialog.sent.add("482"));
        assertThat(dialog.sent).containsExactly("180");
        assertThat(registry.get("call-1")).isNotNull().isNotSameAs(challenged);
    }

    @Test
    void aSecondInviteForACallInProgressIsRefusedAsMerged() throws Exception {
        Call call = invite("+15550100", false);
        call.invite(() -> {
            throw new AssertionError("a merged INVITE is not routed");
        }, () -> dialog.sent.add("482"));
        assertThat(dialog.sent).containsExactly("180", "482");
        assertThat(legs.opened).hasSize(1);
    }

    @Test
    void anEventThatFailsEndsTheCallWith500AndGivesEverythingBack() throws Exception {
        invite("+15550100", false);
        dialog.failOnAnswer = true;
        legs.leg().joined.complete(null);
        assertThat(dialog.sent).containsExactly("180", "500");
        assertThat(registry.size()).isZero();
        assertThat(registry.get("call-1")).isNull();
        assertThat(legs.leg().leaves).isEqualTo(1);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void theEndOfAnEarlierAttemptsDialogDoesNotEndTheCall() throws Exception {
        Call call = invite("+15550100", false);
        legs.leg().joined.complete(null);
        call.dialogTerminated((javax.sip.Dialog) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sip.Dialog.class}, (proxy, method, args) -> null));
        assertThat(registry.size()).isEqualTo(1);
        call.dialogTerminated(null);
        assertThat(registry.size()).isZero();
    }

    // ---- BYE during bridge setup ----

    @Test
    void aByeWhileTheBridgeIsBeingSetUpLeavesTheRoomAndTheLateBridgeIsNotUsed() throws Exception {
        Call call = invite("+15550102", true);
        assertThat(dialog.sent).as("a PIN call is answered at once").containsExactly("200");
        call.infoDigit('4', recording(new ArrayList<>()));
        call.infoDigit('3', recording(new ArrayList<>()));
        call.infoDigit('2', recording(new ArrayList<>()));
        call.infoDigit('1', recording(new ArrayList<>()));
        call.infoDigit('#', recording(new ArrayList<>()));
        legs.leg().joined.complete(null);
        assertThat(legs.leg().bridgeRequests).isEqualTo(1);

        List<Integer> byeReply = new ArrayList<>();
        call.bye(recording(byeReply));
        FakeRoomLegs.Audio late = new FakeRoomLegs.Audio();
        legs.leg().bridged.complete(late);

        assertThat(byeReply).containsExactly(200);
        assertThat(legs.leg().leaves).isEqualTo(1);
        assertThat(legs.leg().statuses).as("never marked active").isEmpty();
        assertThat(stats.snapshot().gateway().total()).as("a PIN call counts once in its room").isZero();
        assertThat(registry.size()).isZero();
        assertThat(dialog.sent).containsExactly("200");
    }

    // ---- PIN guessing across calls ----

    @Test
    void wrongPinsCountAcrossCallsEvenWhenTheCallerHangsUpAndALockedOutSourceIsRefusedUnanswered() throws Exception {
        Call first = invite("+15550102", false);
        first.infoDigit('1', recording(new ArrayList<>()));
        first.infoDigit('#', recording(new ArrayList<>()));
        first.bye(recording(new ArrayList<>()));
        assertThat(registry.size()).isZero();
        assertThat(pinAttempts.locked(InetAddress.getLoopbackAddress(), "+15557777", "boardroom"))
                .as("one wrong PIN is allowed")
                .isEmpty();

        Call second = invite("+15550102", false);
        second.infoDigit('2', recording(new ArrayList<>()));
        second.infoDigit('#', recording(new ArrayList<>()));
        assertThat(pinAttempts.locked(InetAddress.getLoopbackAddress(), "+15557777", "boardroom"))
                .as("the second locks the source")
                .isPresent();
        second.infoDigit('4', recording(new ArrayList<>()));
        second.infoDigit('3', recording(new ArrayList<>()));
        second.infoDigit('2', recording(new ArrayList<>()));
        second.infoDigit('1', recording(new ArrayList<>()));
        second.infoDigit('#', recording(new ArrayList<>()));
        assertThat(legs.opened).as("even the right PIN opens nothing while locked out").isEmpty();
        second.bye(recording(new ArrayList<>()));

        dialog.sent.clear();
        invite("+15550102", false);
        assertThat(dialog.sent).as("refused before it is answered").containsExactly("403");
        assertThat(stats.snapshot().rules().get("boardroom").rejections()).containsEntry("pin_locked", 1L);
        assertThat(registry.size()).isZero();

        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        dialog.sent.clear();
        invite("+15550102", false);
        assertThat(dialog.sent).as("answered again once the lockout is over").containsExactly("200");
    }

    // ---- LiveKit failing mid-answer ----

    @Test
    void theBridgeFailingAfterTheJoinIsOne503AndTheRoomIsLeft() throws Exception {
        invite("+15550100", true);
        legs.leg().joined.complete(null);
        legs.leg().bridged.completeExceptionally(new IOException("LiveKit did not confirm the caller's track"));

        assertThat(dialog.finals()).containsExactly("503");
        assertThat(legs.leg().leaves).isEqualTo(1);
        assertThat(stats.snapshot().gateway().rejections()).containsEntry(Reason.ROOM_UNAVAILABLE.metricLabel(), 1L);
        clock.advance(Duration.ofMinutes(1));
        assertThat(dialog.finals()).as("no 480 after the 503").containsExactly("503");
    }

    @Test
    void theJoinFailingIsOne503() throws Exception {
        invite("+15550100", false);
        legs.leg().joined.completeExceptionally(new IOException("HTTP 500"));
        assertThat(dialog.finals()).containsExactly("503");
        assertThat(registry.size()).isZero();
    }

    // ---- Session timers (RFC 4028) ----

    @Test
    void aSessionTheCallerRefreshesGoesOnWithEachRefreshAndEndsWithoutOne() throws Exception {
        Call call = call(false);
        call.invite(proceed("+15550100", java.util.Optional.of(
                new SessionTimer(Duration.ofSeconds(90), SessionTimer.Refresher.uac))), () -> dialog.sent.add("482"));
        legs.leg().joined.complete(null);
        clock.advance(Duration.ofSeconds(50));
        List<Integer> replies = new ArrayList<>();
        call.refresh(recording(replies));
        assertThat(replies).containsExactly(200);
        clock.advance(Duration.ofSeconds(59));
        assertThat(dialog.sent).as("59 s after the refresh: 90 s less 30 s not yet over").containsExactly("180", "200");
        clock.advance(Duration.ofSeconds(2));
        assertThat(dialog.sent).containsExactly("180", "200",
                "BYE session expired: no refresh within 90 s (RFC 4028 Session-Expires)");
        assertThat(registry.size()).isZero();
    }

    @Test
    void whenTheGatewayRefreshesItSendsAnUpdateEveryHalfInterval() throws Exception {
        Call call = call(false);
        call.invite(proceed("+15550100", java.util.Optional.of(
                new SessionTimer(Duration.ofSeconds(120), SessionTimer.Refresher.uas))), () -> dialog.sent.add("482"));
        legs.leg().joined.complete(null);
        clock.advance(Duration.ofSeconds(181));
        assertThat(dialog.sent).containsExactly("180", "200", "UPDATE", "UPDATE", "UPDATE");
        assertThat(registry.size()).isOne();
    }

    // ---- Timers against the hang-up ----

    @Test
    void aRingingTimeoutThatFiresAfterTheCancelDoesNothing() throws Exception {
        Call call = invite("+15550100", false);
        call.cancel(recording(new ArrayList<>()));
        clock.fireAllEvenIfCancelled();
        clock.advance(Duration.ofMinutes(5));
        assertThat(dialog.sent).containsExactly("180", "487");
    }

    @Test
    void aMaxDurationTimerThatFiresAfterTheByeSendsNoBye() throws Exception {
        Call call = invite("+15550100", false);
        legs.leg().joined.complete(null);
        call.bye(recording(new ArrayList<>()));
        clock.fireAllEvenIfCancelled();
        clock.advance(Duration.ofHours(2));
        assertThat(dialog.sent).containsExactly("180", "200");
        assertThat(clock.pending()).as("every timer of the call is gone").isZero();
    }

    @Test
    void theRingingTimeoutRefusesWith480WhenTheRoomNeverAnswers() throws Exception {
        invite("+15550200", true);
        legs.leg().joined.complete(null);
        FakeRoomLegs.Audio audio = new FakeRoomLegs.Audio();
        legs.leg().bridged.complete(audio);
        clock.advance(Duration.ofSeconds(3));
        assertThat(dialog.sent).as("180 every second while waiting for the room's audio")
                .containsExactly("180", "180", "180", "180");
        clock.advance(Duration.ofSeconds(27));
        assertThat(dialog.finals()).containsExactly("480");
        assertThat(legs.leg().leaves).isEqualTo(1);
        audio.firstTrack.complete(null);
        assertThat(dialog.finals()).as("a track after the timeout answers nothing").containsExactly("480");
    }

    @Test
    void theMaxCallDurationHangsUp() throws Exception {
        invite("+15550100", false);
        legs.leg().joined.complete(null);
        clock.advance(Duration.ofMinutes(59));
        assertThat(dialog.sent).containsExactly("180", "200");
        clock.advance(Duration.ofMinutes(2));
        assertThat(dialog.sent).containsExactly("180", "200", "BYE");
        assertThat(legs.leg().leaves).isEqualTo(1);
    }

    @Test
    void aCallSilentForTheMediaTimeoutHangsUp() throws Exception {
        mediaTimeout = Duration.ofSeconds(30);
        invite("+15550100", false);
        legs.leg().joined.complete(null);
        clock.advance(Duration.ofSeconds(29));
        assertThat(dialog.sent).containsExactly("180", "200");
        clock.advance(Duration.ofSeconds(2));
        assertThat(dialog.sent).containsExactly("180", "200", "BYE");
    }

    @Test
    void aTrunksMediaTimeoutTakesThePlaceOfTheGateways() throws Exception {
        mediaTimeout = Duration.ofSeconds(30);
        invite("+15550300", false);
        legs.leg().joined.complete(null);
        clock.advance(Duration.ofSeconds(4));
        assertThat(dialog.sent).containsExactly("180", "200");
        clock.advance(Duration.ofSeconds(2));
        assertThat(dialog.sent).containsExactly("180", "200", "BYE");
    }

    // ---- Answering ----

    @Test
    void answerWhenAutoAnswersOnJoinWithoutAgentsAndWaitsForTheAgentOtherwise() throws Exception {
        invite("+15550100", true);
        legs.leg().joined.complete(null);
        legs.leg().bridged.complete(new FakeRoomLegs.Audio());
        assertThat(dialog.finals()).as("nobody is dispatched: answer once joined").containsExactly("200");
    }

    @Test
    void answerWhenAutoWaitsForTheDispatchedAgentsFirstTrack() throws Exception {
        invite("+15550101", true);
        legs.leg().joined.complete(null);
        FakeRoomLegs.Audio audio = new FakeRoomLegs.Audio();
        legs.leg().bridged.complete(audio);
        assertThat(dialog.finals()).isEmpty();
        audio.firstTrack.complete(null);
        assertThat(dialog.finals()).containsExactly("200");
        assertThat(legs.leg().statuses).containsExactly("active");
        assertThat(stats.snapshot().gateway().active()).isEqualTo(1);
    }

    @Test
    void attributesAnAgentSetGoBackAsHeadersOnTheBye() throws Exception {
        invite("+15550100", false);
        legs.leg().joined.complete(null);
        legs.leg().attributes = Map.of("outcome", "booked", "unmapped", "x", "sip.callStatus", "line\r\nX-Evil: 1");
        legs.leg().endedByRoom.accept("participant removed from the room");
        assertThat(dialog.sent).containsExactly("180", "200", "BYE participant removed from the room");
        assertThat(dialog.byeHeaders).as("mapped attributes only; a value with a line break is left out")
                .containsExactly(Map.entry("X-Outcome", "booked"));
    }

    @Test
    void theRoomEndingTheParticipantHangsUpTheCall() throws Exception {
        invite("+15550100", false);
        legs.leg().joined.complete(null);
        legs.leg().endedByRoom.accept("participant removed from the room");
        assertThat(dialog.sent).containsExactly("180", "200", "BYE participant removed from the room");
        assertThat(stats.snapshot().gateway().active()).isZero();
    }

    @Test
    void aWrongPinTwiceIsRefusedWithByeAndNeverJoins() throws Exception {
        Call call = invite("+15550102", true);
        for (char key : "1#".toCharArray()) {
            call.infoDigit(key, recording(new ArrayList<>()));
        }
        for (char key : "2#".toCharArray()) {
            call.infoDigit(key, recording(new ArrayList<>()));
        }
        assertThat(legs.opened).isEmpty();
        assertThat(stats.snapshot().gateway().rejections()).isEmpty();
    }

    // ---- Call control from the room ----

    private static final long REFER_1 = 1;

    /** What an agent's request got back. */
    private static final class Answers implements io.dialtone.gateway.call.CallControl.Answer {
        final List<String> got = new ArrayList<>();

        @Override
        public void done(String result) {
            got.add("done " + result);
        }

        @Override
        public void failed(String why) {
            got.add("failed " + why);
        }
    }

    /** A bridged call, answered, whose leg takes the room's requests. */
    private Call bridgedCall() throws Exception {
        Call call = invite("+15550100", true);
        legs.leg().joined.complete(null);
        legs.leg().bridged.complete(new FakeRoomLegs.Audio());
        assertThat(dialog.finals()).containsExactly("200");
        return call;
    }

    private Answers ask(io.dialtone.gateway.call.CallControl what) {
        Answers answers = new Answers();
        legs.leg().control.accept(new io.dialtone.gateway.call.CallControl.Request("agent-1", what, answers));
        return answers;
    }

    private static io.dialtone.gateway.call.CallControl.Transfer transferTo(String target) {
        return new io.dialtone.gateway.call.CallControl.Transfer(target, Map.of("X-Why", "sales"),
                Duration.ofSeconds(20));
    }

    @Test
    void aTransferTheCallersSideCompletesEndsTheCallAndAnswersTheAgent() throws Exception {
        Call call = bridgedCall();
        Answers answers = ask(transferTo("tel:+15550123"));
        assertThat(dialog.sent).containsExactly("180", "200", "REFER tel:+15550123 {X-Why=sales}");
        call.referAnswered(REFER_1, new CallTransfer.Progress(202, "Accepted"));
        List<Integer> notifies = new ArrayList<>();
        call.transferNotified(null, java.util.OptionalLong.empty(), new CallTransfer.Progress(100, "Trying"), recording(notifies));
        assertThat(answers.got).isEmpty();
        call.transferNotified(null, java.util.OptionalLong.empty(), new CallTransfer.Progress(200, "OK"), recording(notifies));
        assertThat(notifies).containsExactly(200, 200);
        assertThat(answers.got).containsExactly("done {\"transferredTo\":\"tel:+15550123\"}");
        assertThat(dialog.sent).last().isEqualTo("BYE transferred to tel:+15550123");
        assertThat(stats.snapshot().gateway().active()).isZero();
    }

    @Test
    void aFailedTransferIsReportedAndTheCallGoesOnAndAnotherMayFollow() throws Exception {
        Call call = bridgedCall();
        Answers first = ask(transferTo("sip:sales@pbx.example"));
        assertThat(ask(transferTo("tel:+1555")).got).as("a second transfer while the first is under way")
                .singleElement().asString().contains("already under way");
        call.referAnswered(REFER_1, new CallTransfer.Progress(202, "Accepted"));
        call.transferNotified(null, java.util.OptionalLong.empty(), new CallTransfer.Progress(486, "Busy Here"), recording(new ArrayList<>()));
        assertThat(first.got).containsExactly("failed the call to sip:sales@pbx.example failed: 486 Busy Here");
        assertThat(dialog.sent).noneMatch(sent -> sent.startsWith("BYE"));

        Answers refused = ask(transferTo("tel:+15550124"));
        call.referAnswered(REFER_1, new CallTransfer.Progress(603, "Decline"));
        call.transferNotified(null, java.util.OptionalLong.of(REFER_1), new CallTransfer.Progress(200, "OK"),
                recording(new ArrayList<>()));
        assertThat(refused.got).as("a late answer about the first REFER").isEmpty();
        call.referAnswered(2, new CallTransfer.Progress(403, "Forbidden"));
        assertThat(refused.got).containsExactly("failed the caller's side refused the transfer: 403 Forbidden");
        assertThat(stats.snapshot().gateway().active()).isEqualTo(1);
    }

    @Test
    void aTransferWithoutAnOutcomeInTimeIsReportedAndALateSuccessStillEndsTheCall() throws Exception {
        Call call = bridgedCall();
        Answers answers = ask(transferTo("tel:+15550123"));
        call.referAnswered(REFER_1, new CallTransfer.Progress(202, "Accepted"));
        clock.advance(Duration.ofSeconds(20));
        assertThat(answers.got).singleElement().asString().startsWith("failed no outcome within 20 s");
        call.transferNotified(null, java.util.OptionalLong.empty(), new CallTransfer.Progress(200, "OK"), recording(new ArrayList<>()));
        assertThat(answers.got).hasSize(1);
        assertThat(dialog.sent).last().isEqualTo("BYE transferred to tel:+15550123");
    }

    @Test
    void theCallerHangingUpDuringATransferAnswersTheAgent() throws Exception {
        Call call = bridgedCall();
        Answers answers = ask(transferTo("tel:+15550123"));
        call.bye(recording(new ArrayList<>()));
        assertThat(answers.got).containsExactly("failed the call ended before the transfer reported its outcome");
    }

    @Test
    void aNotifyWithoutATransferIsNotTheCallsSubscription() throws Exception {
        Call call = bridgedCall();
        List<Integer> notifies = new ArrayList<>();
        call.transferNotified(null, java.util.OptionalLong.empty(), new CallTransfer.Progress(200, "OK"), recording(notifies));
        assertThat(notifies).containsExactly(481);
        assertThat(stats.snapshot().gateway().active()).isEqualTo(1);
    }

    @Test
    void anAgentHangsUpTheCallAndSendsDigits() throws Exception {
        bridgedCall();
        assertThat(ask(new io.dialtone.gateway.call.CallControl.SendDigits("12#")).got).containsExactly("done {}");
        assertThat(ask(new io.dialtone.gateway.call.CallControl.HangUp()).got).containsExactly("done {}");
        assertThat(dialog.sent).last().isEqualTo("BYE hung up by agent-1 in the room");
        assertThat(ask(new io.dialtone.gateway.call.CallControl.HangUp()).got)
                .containsExactly("failed the call has ended");
    }

    @Test
    void moreDigitsThanThePlayoutHoldsAreRefused() throws Exception {
        bridgedCall();
        assertThat(ask(new io.dialtone.gateway.call.CallControl.SendDigits("1".repeat(32))).got)
                .containsExactly("done {}");
        assertThat(ask(new io.dialtone.gateway.call.CallControl.SendDigits("2".repeat(32))).got)
                .containsExactly("done {}");
        assertThat(ask(new io.dialtone.gateway.call.CallControl.SendDigits("3")).got).singleElement().asString()
                .startsWith("failed");
    }

    /** The SIP side as the call drives it: what it sent, in order. */
    static final class RecordingDialog implements InviteDialog {
        final List<String> sent = new ArrayList<>();
        boolean failOnAnswer;
        Map<String, String> byeHeaders;
        long refers;

        List<String> finals() {
            return sent.stream().filter(s -> !s.equals("180") && !s.startsWith("BYE") && !s.startsWith("REFER"))
                    .toList();
        }

        @Override
        public void ringing() {
            sent.add("180");
        }

        @Override
        public void answer(String sdp) {
            if (failOnAnswer) {
                throw new IllegalStateException("a bug in sending the 200");
            }
            sent.add("200");
        }

        @Override
        public void reject(Reason reason) {
            sent.add(String.valueOf(reason.sipStatus()));
        }

        @Override
        public void terminated() {
            sent.add("487");
        }

        @Override
        public void refresh() {
            sent.add("UPDATE");
        }

        @Override
        public void failed() {
            sent.add("500");
        }

        @Override
        public boolean owns(javax.sip.Dialog dialog) {
            return dialog == null;
        }

        @Override
        public Referral refer(String target, Map<String, String> headers) {
            sent.add("REFER " + target + (headers.isEmpty() ? "" : " " + headers));
            return new Referral.Sent(++refers);
        }

        @Override
        public void bye(String why, Map<String, String> headers) {
            byeHeaders = headers;
            sent.add(why.startsWith("maxCallDuration") || why.startsWith("cancelled") || why.startsWith("no RTP")
                    ? "BYE" : "BYE " + why);
        }
    }
}
