package io.dialtone.gateway.sip;

import io.dialtone.api.v1alpha1.AnswerWhen;
import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.RoomCodec;
import io.dialtone.config.SpecValidator;
import io.dialtone.gateway.call.CallControl;
import io.dialtone.gateway.call.CallLoop;
import io.dialtone.gateway.call.CallScheduler;
import io.dialtone.gateway.call.RoomLeg;
import io.dialtone.gateway.call.RoomLegs;
import io.dialtone.gateway.media.CallerRtp;
import io.dialtone.gateway.media.FrameClock;
import io.dialtone.gateway.media.JitterBuffer;
import io.dialtone.gateway.media.MediaProtection;
import io.dialtone.gateway.media.PhoneCodec;
import io.dialtone.gateway.media.PhonePeer;
import io.dialtone.gateway.media.PhoneToRoom;
import io.dialtone.gateway.media.PromptPlayer;
import io.dialtone.gateway.media.RoomToPhone;
import io.dialtone.gateway.media.RtpSender;
import io.dialtone.gateway.media.SrtpKeys;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.gateway.stats.Counted;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.CompiledRule;
import io.dialtone.routing.Decision;
import io.dialtone.routing.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call, from its INVITE to its end, and the only owner of its state. Every event of the call (the INVITE, CANCEL,
 * ACK, BYE, re-INVITE, UPDATE and INFO, its timers, the room leg's outcomes, digits from its media) is posted to the
 * call's {@link CallLoop} and handled there in order, so no transition can interleave with another: a CANCEL and
 * the room's answer are handled one after the other, and whichever comes second sees what the first did. The
 * INVITE therefore gets exactly one final response; a room leg or bridge that completes after the call ended is left
 * at once; nothing here blocks, since LiveKit's round trips run on the room leg's threads and come back as events.
 */
public final class Call {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");
    static final Duration RING_AGAIN = Duration.ofSeconds(1);
    static final Duration MEDIA_CHECK = Duration.ofMillis(500);
    /** However long the agent's RPC waits: longer than any target rings. */
    static final Duration LONGEST_TRANSFER_WAIT = Duration.ofMinutes(2);

    /** Where the call is in its life; it only moves forward. */
    enum State {
        /** Registered by Call-ID; its INVITE not yet handled. */
        NEW,
        /** 180 sent; the room is being set up; the INVITE waits for its final response. */
        RINGING,
        /** Answered to collect a PIN; not yet in a room. */
        PIN,
        ANSWERED,
        ENDED
    }

    /** What every call uses, shared. */
    record Services(CallRegistry registry, CallStats stats, CallScheduler scheduler, Executor loops, RoomLegs legs,
                    FrameClock mediaClock, boolean bridgeAudio, RoomCodec roomCodec,
                    Duration mediaTimeout, String advertisedAddress, PinRouter pins, PinAttempts pinAttempts) {
    }

    /** Routes a call again with the PIN its caller entered, by the routing in force at that moment. */
    @FunctionalInterface
    interface PinRouter {
        Decision route(CallTrunk trunk, CallRequest request);
    }

    private final String sipCallId;
    private final Services services;
    private final CallLoop loop;
    private final Instant started = Instant.now();

    // Everything below is read and written on the loop only, except where marked volatile for the media clock.
    private State state = State.NEW;
    private boolean cancelledEarly;
    private CallSetup setup;
    private Decision.Accept accept;
    private SdpNegotiator.Negotiated media;
    private LoopTimer sessionExpiry;
    /** Set once, before the call is answered; read by the SIP stack's threads when they answer a refresh. */
    private volatile Optional<SessionTimer> sessionTimer = Optional.empty();
    /** Plain RTP or the call's SRTP, for the life of the call: a re-offer may not change its keys. */
    private MediaProtection protection;
    private long sdpVersion = 1;
    private RtpSender toPhoneStream;
    private CallerRtp callerRtp;
    /** The caller's media address; set with the call's setup. */
    private PhonePeer peer;
    private RoomLeg leg;
    private RoomLeg.RoomAudio roomAudio;
    private RoomToPhone toPhone;
    private PhoneToRoom toRoom;
    private PromptPlayer prompts;
    private PinCollector pin;
    private CallStats.ActiveCall counted;
    private LoopTimer ringingTimeout;
    /** The last transfer an agent asked for; a new one may start once it has its answer. */
    private CallTransfer transfer;
    private final List<LoopTimer> timers = new ArrayList<>();
    /** What the media check reads the call's ports into, every 500 ms for as long as the call lasts. */
    private final ByteBuffer mediaCheckBuffer = ByteBuffer.allocate(2048);
    /** Written by the media clock on every packet from the caller; read by the media check. */
    private volatile long lastMediaNanos;

    Call(String sipCallId, Services services) {
        this.sipCallId = sipCallId;
        this.services = services;
        this.loop = new CallLoop(sipCallId, services.loops());
    }

    public String sipCallId() {
        return sipCallId;
    }

    // ---- Events, from any thread: each is posted to the call's loop. ----

    /**
     * A new INVITE (no To tag) for this Call-ID; {@code handle} routes it and answers what does not become a call,
     * {@code merged} answers it when the Call-ID already holds a call.
     */
    void invite(Supplier<InviteOutcome> handle, Runnable merged) {
        post(() -> onInvite(handle, merged));
    }

    void cancel(Reply reply) {
        post(() -> onCancel(reply));
    }

    /**
     * A 2xx ACK for {@code dialog}: it confirms the caller's media address only when it belongs to this call's
     * dialog (its To tag), since anyone who knows a Call-ID can send an ACK carrying it.
     */
    void ack(javax.sip.Dialog dialog) {
        post(() -> {
            boolean ours = setup != null && setup.dialog().owns(dialog);
            LOG.debug("event=ack call={} state={} ours={}", sipCallId, state, ours);
            if (ours) {
                peer.confirm();
            }
        });
    }

    void bye(Reply reply) {
        post(() -> onBye(reply));
    }

    /** A re-INVITE or UPDATE with an SDP offer: hold, resume, a new address. */
    void reoffer(String sdp, Reply reply) {
        post(() -> onReoffer(sdp, reply));
    }

    /** An UPDATE without SDP: a session refresh. */
    void refresh(Reply reply) {
        post(() -> {
            if (inDialog()) {
                sessionRefreshed();
                reply.status(Response.OK);
            } else {
                reply.status(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            }
        });
    }

    /**
     * A digit sent as SIP INFO; taken before the 200 goes out, so the caller's next INFO cannot overtake it. Once
     * the call is bridged it reaches the room too.
     */
    void infoDigit(char digit, Reply reply) {
        post(() -> {
            if (!inDialog()) {
                reply.status(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            digit(digit, "info");
            if (roomAudio != null) {
                // To the room as LiveKit's SipDTMF, as an RFC 4733 digit goes: agents hear keys however they came.
                roomAudio.sendDtmf(digit);
            }
            reply.status(Response.OK);
        });
    }

    /** What an agent in the room asks of the call: transfer, hang up, digits to the caller. */
    void control(CallControl.Request request) {
        post(() -> onControl(request));
    }

    /** The caller's response to the gateway's REFER (or 408 when none came). */
    void referAnswered(long cseq, CallTransfer.Progress response) {
        post(() -> {
            if (transfer != null && state == State.ANSWERED && transfer.cseq() == cseq) {
                transferGoes(transfer.referAnswered(response));
            }
        });
    }

    /**
     * A NOTIFY of the caller's progress on a transfer (its message/sipfrag status line); only from this call's
     * dialog, after a REFER.
     */
    void transferNotified(javax.sip.Dialog dialog, java.util.OptionalLong referCseq, CallTransfer.Progress progress,
                          Reply reply) {
        post(() -> {
            // A NOTIFY names its REFER by the Event header's id (RFC 3515 2.4.6); one without it is the last REFER's.
            if (state != State.ANSWERED || transfer == null || !setup.dialog().owns(dialog)
                    || referCseq.isPresent() && referCseq.getAsLong() != transfer.cseq()) {
                reply.status(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                return;
            }
            reply.status(Response.OK);
            transferGoes(transfer.notified(progress));
        });
    }

    /** The SIP stack ended {@code dialog} (e.g. the caller never acknowledged the 200); the call ends if it is its. */
    void dialogTerminated(javax.sip.Dialog dialog) {
        post(() -> {
            if (inDialog() && setup.dialog().owns(dialog)) {
                LOG.info("event=hangup call={} trunk={} room={} by=stack why=\"the SIP dialog ended\"", sipCallId,
                        trunkName(), room());
                end();
            }
        });
    }

    /** Ends the call from the gateway's side: BYE with a Reason header once answered, a refusal before. */
    public void hangUp(String why) {
        post(() -> hangUpNow(why));
    }

    /**
     * Runs {@code event} on the call's loop. An event that fails ends the call, so a bug costs one call and never
     * leaves it holding its ports, its count and its room.
     */
    private void post(Runnable event) {
        loop.execute(() -> {
            try {
                event.run();
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    private void fail(RuntimeException e) {
        LOG.error("event=call_failed call={} state={} error=\"{}\"", sipCallId, state, e.toString(), e);
        switch (state) {
            case ENDED -> LOG.debug("event=call_failed_after_end call={}", sipCallId);
            case NEW, RINGING -> {
                if (setup == null) {
                    forget();
                } else {
                    setup.dialog().failed();
                    end();
                }
            }
            case PIN, ANSWERED -> {
                setup.dialog().bye("the gateway failed", byeHeaders());
                end();
            }
        }
    }

    // ---- Handlers, on the loop. ----

    private void onInvite(Supplier<InviteOutcome> handle, Runnable merged) {
        if (state == State.ENDED) {
            // This call ended (a 407 challenge, say) after the SIP side found it: the new attempt is a call of its own.
            services.registry().open(sipCallId, id -> new Call(id, services)).invite(handle, merged);
            return;
        }
        if (state != State.NEW) {
            merged.run();
            return;
        }
        InviteOutcome outcome = handle.get();
        if (outcome instanceof InviteOutcome.Proceed proceed) {
            start(proceed.setup());
        } else {
            forget();
        }
    }

    /** Ends a call whose INVITE never became one: it holds nothing but its Call-ID. */
    private void forget() {
        state = State.ENDED;
        services.registry().ended(this, false, CompletableFuture.completedFuture(null));
    }

    private void start(CallSetup callSetup) {
        setup = callSetup;
        services.registry().started(this);
        media = callSetup.media();
        toPhoneStream = new RtpSender(media.payloadType(), "dialtone-" + Integer.toHexString(sipCallId.hashCode()));
        peer = new PhonePeer(media.remote());
        protection = MediaProtection.of(media.srtp());
        sessionTimer = callSetup.sessionTimer();
        callerRtp = new CallerRtp(sipCallId, peer::declared, callSetup.request().source(), protection);
        lastMediaNanos = services.scheduler().nanoTime();
        if (cancelledEarly) {
            setup.dialog().terminated();
            LOG.info("event=cancelled call={} trunk={} room=-", sipCallId, trunkName());
            end();
            return;
        }
        if (callSetup.destination() instanceof CallSetup.Destination.Room room) {
            ring(room.accept());
        } else if (callSetup.destination() instanceof CallSetup.Destination.BehindPin behindPin) {
            askForPin(behindPin.pin());
        }
    }

    private void ring(Decision.Accept destination) {
        state = State.RINGING;
        accept = destination;
        setup.dialog().ringing();
        LOG.info("event=ringing call={} trunk={} rule={} room={} from={} to={} codec={} rtpPort={}", sipCallId,
                trunkName(), accept.rule().name(), accept.roomName(), setup.request().fromUser(),
                setup.request().toUser(), media.codec(), rtpPort());
        String timeout = setup.trunk().spec().ringingTimeout();
        ringingTimeout = after(Durations.parse(timeout), () -> ringingTimedOut(timeout));
        joinRoom();
    }

    /**
     * A PIN-protected rule: answer now, since the caller must hear the prompt; counted once the PIN admits it. A
     * source or rule locked out after too many wrong PINs is refused before it is answered.
     */
    private void askForPin(Decision.PinRequired required) {
        java.net.InetAddress source = setup.request().source();
        Optional<PinAttempts.Lockout> locked = pinLockout(required.rule().name());
        if (locked.isPresent()) {
            refuseUnanswered(required.rule(), Reason.PIN_LOCKED, locked.get().why());
            return;
        }
        state = State.PIN;
        setup.dialog().answer(sdpAnswer());
        answeredTimers();
        prompts = new PromptPlayer(sipCallId, setup.ports().rtp(), media.codec(), toPhoneStream, peer::destination,
                protection);
        prompts.start(services.mediaClock());
        String ruleName = required.rule().name();
        LOG.info("event=pin_prompt call={} trunk={} rule={} codec={} rtpPort={}", sipCallId, trunkName(), ruleName,
                media.codec(), rtpPort());
        PromptPlayer player = prompts;
        pin = new PinCollector(PinCollector.WAIT,
                (prompt, done) -> player.play(prompt, () -> post(() -> {
                    if (state != State.ENDED) {
                        done.run();
                    }
                })),
                this::after, ruleName,
                entry -> pinLockout(required.rule().name())
                        .<Decision>map(lockout -> new Decision.Reject(Reason.PIN_LOCKED, setup.trunk(), required.rule(),
                                lockout.why()))
                        .orElseGet(() -> services.pins().route(setup.trunk(), setup.request().withPin(entry))),
                new PinCollector.Outcome() {
                    @Override
                    public void admitted(Decision.Accept admitted) {
                        LOG.info("event=pin_accepted call={} rule={} room={}", sipCallId, admitted.rule().name(),
                                admitted.roomName());
                        pin = null;
                        accept = admitted;
                        // The bridge takes over the call's RTP stream from here.
                        prompts.close();
                        joinRoom();
                    }

                    @Override
                    public void wrong(String rule) {
                        services.stats().pinWrong(rule);
                        LOG.info("event=pin_wrong call={} rule={} source={}", sipCallId, rule, source.getHostAddress());
                        services.pinAttempts().wrong(source, setup.request().fromUser(), rule).ifPresent(lockout -> {
                            services.stats().pinLockout(lockout.scope());
                            LOG.warn("event=pin_lockout call={} rule={} scope={} who=\"{}\" seconds={}", sipCallId,
                                    rule, lockout.scope(), lockout.who(), lockout.remaining().toSeconds());
                        });
                    }

                    @Override
                    public void refused(Reason reason, String rule, String detail) {
                        services.stats().rejected(trunkCounted(), Counted.of(required.rule()), reason);
                        LOG.info("event=rejected call={} trunk={} rule={} status=BYE reason={} detail=\"{}\"", sipCallId,
                                trunkName(), rule, reason.metricLabel(), detail);
                        hangUpNow(reason.headerText());
                    }
                });
        pin.start();
    }

    private void joinRoom() {
        leg = services.legs().open(sipCallId, accept, tokenLifetime(), why -> hangUp(why));
        leg.join().whenComplete((joined, error) -> post(() -> joined(error)));
    }

    private void joined(Throwable error) {
        if (state == State.ENDED) {
            return;
        }
        if (error != null) {
            roomFailed(error);
        } else if (services.bridgeAudio()) {
            bridge();
        } else {
            roomReady();
        }
    }

    /** The lockout that keeps this call's caller from entering a PIN for {@code rule}, if one is in force. */
    private Optional<PinAttempts.Lockout> pinLockout(String rule) {
        return services.pinAttempts().locked(setup.request().source(), setup.request().fromUser(), rule);
    }

    /** Audio both ways: the room's tracks to the phone, the caller's RTP into the room. */
    private void bridge() {
        Codec codec = media.codec();
        toPhone = new RoomToPhone(sipCallId, setup.ports().rtp(), setup.ports().rtcp(), codec, toPhoneStream,
                media.telephoneEvent(), peer::destination, protection);
        String roomCodec = services.roomCodec() == RoomCodec.opus || codec == Codec.G722 ? "opus" : codec.name();
        RoomToPhone phone = toPhone;
        leg.bridge(PhoneCodec.of(codec).sampleRate(), roomCodec, phone::accept, phone::dtmf, this::control)
                .whenComplete((audio, error) -> post(() -> bridged(audio, error)));
    }

    private void bridged(RoomLeg.RoomAudio audio, Throwable error) {
        if (state == State.ENDED) {
            return;
        }
        if (error != null) {
            roomFailed(error);
            return;
        }
        roomAudio = audio;
        Codec codec = media.codec();
        toRoom = new PhoneToRoom(sipCallId, setup.ports().rtp(), callerRtp, codec, media.payloadType(),
                media.telephoneEvent(), PhoneCodec.of(codec).sampleRate(), audio::push,
                digit -> {
                    post(() -> digit(digit, "rfc4733"));
                    audio.sendDtmf(digit);
                }, () -> lastMediaNanos = services.scheduler().nanoTime());
        toRoom.start(services.mediaClock());
        toPhone.start(services.mediaClock());
        roomReady();
    }

    /** Joined, and bridged when the gateway bridges: answer, wait for the room's audio, or count a PIN caller. */
    private void roomReady() {
        if (state == State.PIN) {
            count(true);
            state = State.ANSWERED;
        } else if (state == State.RINGING && services.bridgeAudio() && waitsForFirstTrack()) {
            LoopTimer again = every(RING_AGAIN, () -> setup.dialog().ringing());
            roomAudio.firstTrack().whenComplete((track, error) -> post(() -> {
                again.cancel();
                if (error == null) {
                    answer();
                }
            }));
            LOG.info("event=waiting_for_room call={} room={} why=\"the trunk answers once a first audio track "
                    + "plays in the room (answerWhen: {})\"", sipCallId, accept.roomName(), answerWhen());
        } else {
            answer();
        }
    }

    private void answer() {
        if (state != State.RINGING) {
            return;
        }
        ringingTimeout.cancel();
        setup.dialog().answer(sdpAnswer());
        state = State.ANSWERED;
        answeredTimers();
        count(false);
    }

    private void count(boolean afterPin) {
        Duration setupTime = Duration.ofNanos(services.scheduler().nanoTime() - setup.arrived());
        counted = services.stats().started(trunkCounted(), Counted.of(accept.rule()), setupTime);
        leg.callStatus("active").whenComplete((done, error) -> {
            if (error != null) {
                LOG.warn("event=call_status_failed call={} room={} error=\"{}\"", sipCallId, accept.roomName(),
                        describe(error));
            }
        });
        LOG.info("event=answered call={} trunk={} rule={} room={} setupMs={}{}", sipCallId, trunkName(),
                accept.rule().name(), accept.roomName(), setupTime.toMillis(), afterPin ? " pin=true" : "");
    }

    private void answeredTimers() {
        String maxDuration = maxCallDuration();
        after(Durations.parse(maxDuration), () -> hangUpNow("maxCallDuration " + maxDuration + " reached"));
        every(MEDIA_CHECK, this::checkMedia);
        setup.sessionTimer().ifPresent(timer -> {
            if (timer.refresher() == SessionTimer.Refresher.uas) {
                every(timer.refreshAfter(), () -> setup.dialog().refresh());
            }
            sessionRefreshed();
        });
    }

    /**
     * A refresh (the caller's re-INVITE or UPDATE) starts the session's interval over; without one in time, the
     * session has expired and the gateway ends the call (RFC 4028 section 10). Only when the caller refreshes: the
     * gateway's own UPDATEs keep the dialog, and a caller that stops answering them stops sending RTP too.
     */
    private void sessionRefreshed() {
        Optional<SessionTimer> timer = setup.sessionTimer().filter(t -> t.refresher() == SessionTimer.Refresher.uac);
        if (timer.isEmpty()) {
            return;
        }
        if (sessionExpiry != null) {
            sessionExpiry.cancel();
        }
        sessionExpiry = after(timer.get().expiresAfter(), () -> hangUpNow("session expired: no refresh within "
                + timer.get().interval().toSeconds() + " s (RFC 4028 Session-Expires)"));
    }

    /** The session timer of the call's answer, for the responses to its refreshes; read off the call's loop. */
    Optional<SessionTimer> sessionTimer() {
        return sessionTimer;
    }

    private void ringingTimedOut(String timeout) {
        if (state != State.RINGING) {
            return;
        }
        refuseUnanswered(accept.rule(), Reason.RINGING_TIMEOUT,
                "not answered within the trunk's ringingTimeout of " + timeout);
    }

    /** Refuses a call not yet answered: its final response, counted under {@code rule}, logged, and the end. */
    private void refuseUnanswered(CompiledRule rule, Reason reason, String detail) {
        setup.dialog().reject(reason);
        services.stats().rejected(trunkCounted(), Counted.of(rule), reason);
        LOG.info("event=rejected call={} trunk={} rule={} status={} reason={} detail=\"{}\"", sipCallId, trunkName(),
                rule.name(), reason.sipStatus(), reason.metricLabel(), detail);
        end();
    }

    private void roomFailed(Throwable error) {
        LOG.warn("event=room_failed call={} room={} error=\"{}\"", sipCallId, accept.roomName(), describe(error));
        services.stats().rejected(trunkCounted(), Counted.of(accept.rule()), Reason.ROOM_UNAVAILABLE);
        if (state == State.RINGING) {
            setup.dialog().reject(Reason.ROOM_UNAVAILABLE);
            end();
        } else {
            hangUpNow(Reason.ROOM_UNAVAILABLE.headerText());
        }
    }

    private void onCancel(Reply reply) {
        reply.status(Response.OK);
        switch (state) {
            case NEW -> cancelledEarly = true;
            case RINGING -> {
                setup.dialog().terminated();
                LOG.info("event=cancelled call={} trunk={} room={}", sipCallId, trunkName(), room());
                end();
            }
            // The 200 went out before the CANCEL was handled: the caller wanted to leave, so the call ends by BYE.
            case PIN, ANSWERED -> hangUpNow("cancelled by the caller after the answer");
            case ENDED -> LOG.debug("event=cancel_ignored call={} why=\"the call has ended\"", sipCallId);
        }
    }

    private void onBye(Reply reply) {
        if (!inDialog() && state != State.ENDED) {
            reply.status(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        // After a gateway BYE crossed the caller's, the caller's gets its 200 as well.
        reply.status(Response.OK);
        if (inDialog()) {
            LOG.info("event=hangup call={} trunk={} room={} by=caller durationS={}", sipCallId, trunkName(), room(),
                    Duration.between(started, Instant.now()).toSeconds());
            end();
        }
    }

    /** Hold, resume and address changes: the same port and codec, the direction mirrored. */
    private void onReoffer(String sdp, Reply reply) {
        if (!inDialog()) {
            reply.status(state == State.ENDED ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST : Response.REQUEST_PENDING);
            return;
        }
        SdpNegotiator.Negotiated renegotiated;
        try {
            renegotiated = new SdpNegotiator(List.of(media.codec()), setup.request().source(),
                    setup.trunk().spec().media().encryption(),
                    media.srtp().map(SrtpKeys::local).orElseGet(SdpNegotiator::newLocalKey)).negotiate(sdp);
            if (!renegotiated.srtp().equals(media.srtp())) {
                // The call's SRTP contexts (replay windows, rollover counters) belong to its keys.
                throw new SdpNegotiator.NegotiationException("a re-offer may not change the call's SRTP keys or "
                        + "turn encryption on or off", Reason.NO_COMMON_CRYPTO);
            }
        } catch (SdpNegotiator.NegotiationException e) {
            LOG.info("event=reoffer_refused call={} status={} detail=\"{}\"", sipCallId, e.reason().sipStatus(),
                    e.getMessage());
            reply.status(e.reason().sipStatus());
            return;
        }
        media = renegotiated;
        if (!renegotiated.remote().equals(peer.declared())) {
            peer.declare(renegotiated.remote());
            callerRtp.reopen();
        }
        sdpVersion++;
        sessionRefreshed();
        reply.sdp(sdpAnswer());
        LOG.info("event=renegotiated call={} direction={}", sipCallId, renegotiated.offered().answer());
    }

    /**
     * A digit the caller pressed, as RFC 4733 event or SIP INFO: logged, and passed to the PIN prompt if any. While
     * a PIN is being entered the log says that a digit came, never which: logs are read by more people than PINs.
     */
    private void digit(char pressed, String via) {
        if (state == State.ENDED) {
            return;
        }
        LOG.info("event=dtmf call={} via={} digit={}", sipCallId, via, pin != null ? "hidden" : pressed);
        if (pin != null) {
            pin.digit(pressed);
        }
    }

    private void onControl(CallControl.Request request) {
        CallControl.Answer answer = request.answer();
        if (state != State.ANSWERED) {
            answer.failed(state == State.ENDED ? "the call has ended" : "the call is not answered yet");
            return;
        }
        CallControl what = request.what();
        if (what instanceof CallControl.HangUp) {
            answer.done("{}");
            hangUpNow("hung up by " + request.from() + " in the room");
        } else if (what instanceof CallControl.SendDigits digits) {
            if (toPhone.dtmf(digits.digits())) {
                answer.done("{}");
            } else {
                answer.failed("the caller's side did not offer telephone-event (RFC 4733), or too many digits wait "
                        + "to be played; none of these was queued");
            }
        } else if (what instanceof CallControl.Transfer asked) {
            transfer(request.from(), asked, answer);
        }
    }

    /** REFER the caller to the target; the agent's answer waits for the caller's NOTIFYs, at most asked.within(). */
    private void transfer(String from, CallControl.Transfer asked, CallControl.Answer answer) {
        if (transfer != null && transfer.inProgress()) {
            answer.failed("a transfer of this call to " + transfer.target() + " is already under way");
            return;
        }
        // The trunk's attributesToHeaders go on the REFER as on the BYE (LiveKit's semantics); the agent's own win.
        Map<String, String> headers = new java.util.TreeMap<>(byeHeaders());
        headers.putAll(asked.headers());
        InviteDialog.Referral sent = setup.dialog().refer(asked.target(), headers);
        if (sent instanceof InviteDialog.Referral.NotSent notSent) {
            answer.failed(notSent.why());
            return;
        }
        long cseq = ((InviteDialog.Referral.Sent) sent).cseq();
        Duration within = asked.within().compareTo(LONGEST_TRANSFER_WAIT) > 0 ? LONGEST_TRANSFER_WAIT : asked.within();
        CallTransfer started = new CallTransfer(sipCallId, asked.target(), cseq, answer,
                after(within, () -> transferExpired(within)));
        transfer = started;
        LOG.info("event=transfer call={} trunk={} room={} by={} to={}", sipCallId, trunkName(), room(), from,
                asked.target());
    }

    private void transferExpired(Duration waited) {
        if (transfer != null) {
            transfer.expired(waited);
        }
    }

    private void transferGoes(CallTransfer.Next next) {
        if (next == CallTransfer.Next.END_CALL) {
            hangUpNow("transferred to " + transfer.target());
        }
    }

    /** Reads what arrived outside the bridge; hangs up a call silent for longer than the media timeout. */
    private void checkMedia() {
        ByteBuffer buffer = mediaCheckBuffer;
        buffer.clear();
        try {
            boolean received = false;
            java.net.SocketAddress from;
            while ((from = setup.ports().rtcp().receive(buffer)) != null) {
                buffer.flip();
                received |= callerRtp.isCallersReport(from, buffer);
                buffer.clear();
            }
            while (toRoom == null && (from = setup.ports().rtp().receive(buffer)) != null) {
                buffer.flip();
                // Without the bridge only the caller's digits matter here: the log, and a PIN prompt.
                received |= !(callerRtp.read(from, buffer, media.payloadType(), media.telephoneEvent(),
                        digit -> digit(digit, "rfc4733")) instanceof CallerRtp.Heard.Dropped);
                buffer.clear();
            }
            long now = services.scheduler().nanoTime();
            if (received) {
                lastMediaNanos = now;
            } else if (now - lastMediaNanos > mediaTimeout().toNanos()) {
                hangUpNow("no RTP for " + mediaTimeout().toSeconds() + " s");
            }
        } catch (IOException e) {
            hangUpNow("RTP port failed: " + e.getMessage());
        }
    }

    private void hangUpNow(String why) {
        switch (state) {
            case NEW, ENDED -> {
                return;
            }
            case RINGING -> {
                setup.dialog().reject(Reason.ROOM_UNAVAILABLE);
                services.stats().rejected(trunkCounted(), Counted.of(accept.rule()), Reason.ROOM_UNAVAILABLE);
            }
            case PIN, ANSWERED -> setup.dialog().bye(why, byeHeaders());
        }
        LOG.info("event=hangup call={} trunk={} room={} by=gateway why=\"{}\"", sipCallId, trunkName(), room(), why);
        end();
    }

    /**
     * Gives back everything the call holds: timers, prompts, the media clocks (before the room leg, whose audio
     * they feed), the room leg, the active-call count, the RTP ports. Runs once.
     */
    private void end() {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        if (transfer != null) {
            transfer.callEnded();
        }
        timers.forEach(LoopTimer::cancel);
        timers.clear();
        if (prompts != null) {
            prompts.close();
        }
        if (toPhone != null) {
            toPhone.close();
        }
        if (toRoom != null) {
            toRoom.close();
            logMedia();
        }
        CompletableFuture<Void> teardown = leg != null ? leg.leave() : CompletableFuture.completedFuture(null);
        if (counted != null) {
            counted.close();
        }
        try {
            setup.ports().close();
        } catch (IOException e) {
            LOG.debug("closing the RTP ports of {}", sipCallId, e);
        }
        media.srtp().ifPresent(keys -> LOG.info("event=srtp call={} suite={} heard={} unauthenticated={}",
                sipCallId, keys.suite(), callerRtp.heardPackets(), callerRtp.unauthenticatedPackets()));
        services.registry().ended(this, true, teardown);
    }

    private void logMedia() {
        JitterBuffer jitter = toRoom.jitter();
        LOG.info("event=media call={} toRoomLost={} toRoomLate={} toRoomDiscarded={} jitterMs={} delayMs={} "
                        + "toRoomHeldMs={} toPhonePackets={} toPhoneQueuedMs={} toPhoneUnderruns={} toPhoneDroppedMs={} "
                        + "roomCodec={} foreignRtp={} toRoomStrays={} toRoomRestarts={}", sipCallId, jitter.lost(),
                jitter.late(), jitter.discarded(),
                Math.round(jitter.jitterMillis()), jitter.targetDelayMillis(), Math.round(toRoom.heldMillis()),
                toPhone.packetsSent(), Math.round(toPhone.queuedMillis()), toPhone.underruns(), toPhone.droppedMillis(),
                roomAudio.codec(), callerRtp.foreignPackets(), jitter.strays(), jitter.restarts());
    }

    // ---- Timers: they post to the loop, and one cancelled (or fired after the call ended) does nothing. ----

    private LoopTimer after(Duration delay, Runnable task) {
        LoopTimer timer = new LoopTimer(task);
        timer.scheduled = services.scheduler().after(delay, timer::fire);
        timers.add(timer);
        return timer;
    }

    private LoopTimer every(Duration period, Runnable task) {
        LoopTimer timer = new LoopTimer(task);
        timer.scheduled = services.scheduler().every(period, timer::fire);
        timers.add(timer);
        return timer;
    }

    private final class LoopTimer implements CallScheduler.Timer {
        private final Runnable task;
        private CallScheduler.Timer scheduled;
        private boolean cancelled;

        LoopTimer(Runnable task) {
            this.task = task;
        }

        /** On the scheduler's thread: only posts. */
        void fire() {
            post(() -> {
                if (!cancelled && state != State.ENDED) {
                    task.run();
                }
            });
        }

        @Override
        public void cancel() {
            cancelled = true;
            scheduled.cancel();
        }
    }

    // ---- Reading the call. ----

    private boolean inDialog() {
        return state == State.PIN || state == State.ANSWERED;
    }

    private boolean waitsForFirstTrack() {
        return switch (answerWhen()) {
            case firstTrack -> true;
            case joined -> false;
            case auto -> !accept.room().agents().isEmpty();
        };
    }

    private AnswerWhen answerWhen() {
        return setup.trunk().spec().answerWhen();
    }

    private String sdpAnswer() {
        return media.answer(services.advertisedAddress(), rtpPort(), started.toEpochMilli(), sdpVersion);
    }

    private int rtpPort() {
        return setup.ports().rtp().socket().getLocalPort();
    }

    private String maxCallDuration() {
        return setup.trunk().spec().maxCallDuration();
    }

    /** The participant's token outlives the longest call the trunk allows. */
    private Duration tokenLifetime() {
        return Durations.parse(maxCallDuration()).plusHours(1);
    }

    /**
     * The trunk's attributesToHeaders: the caller's participant attributes an agent set, as X- headers for the BYE
     * and the REFER.
     */
    private Map<String, String> byeHeaders() {
        Map<String, String> mapping = setup.trunk().spec().attributesToHeaders();
        if (mapping.isEmpty() || leg == null) {
            return Map.of();
        }
        Map<String, String> attributes = leg.attributes();
        Map<String, String> headers = new java.util.TreeMap<>();
        mapping.forEach((attribute, header) -> {
            String value = attributes.get(attribute);
            if (value != null && SpecValidator.isHeaderValue(value)) {
                headers.put(header, value);
            }
        });
        return headers;
    }

    /** The trunk's media.timeout, else the gateway's. */
    private Duration mediaTimeout() {
        String trunks = setup.trunk().spec().media().timeout();
        return trunks == null ? services.mediaTimeout() : Durations.parse(trunks);
    }

    private Counted trunkCounted() {
        return setup == null ? Counted.NONE : Counted.of(setup.trunk());
    }

    private String trunkName() {
        return setup == null ? CallTrunk.NONE.name() : setup.trunk().name();
    }

    private String room() {
        return accept == null ? "-" : accept.roomName();
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
