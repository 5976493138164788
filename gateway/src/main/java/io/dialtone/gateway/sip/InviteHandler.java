package io.dialtone.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import io.dialtone.api.v1alpha1.AnswerWhen;
import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.RoomCodec;
import io.dialtone.api.v1alpha1.SipTrunkSpec;
import io.dialtone.gateway.config.RoutingState;
import io.dialtone.gateway.livekit.RoomAudioPublisher;
import io.dialtone.gateway.livekit.RoomAudioSubscriber;
import io.dialtone.gateway.livekit.RoomProvisioner;
import io.dialtone.gateway.livekit.WebRtcEngine;
import io.dialtone.gateway.media.PhoneCodec;
import io.dialtone.gateway.media.PhoneToRoom;
import io.dialtone.gateway.media.PromptPlayer;
import io.dialtone.gateway.media.RoomToPhone;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.CompiledTrunk;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import io.dialtone.routing.RoutingTable;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new INVITE, from arrival to answer: admission, trunk, digest authentication, dispatch, SDP, room, 200 OK.
 * Every refusal is answered with its status and a Reason header, counted, and logged with what would have
 * accepted the call; sources that match no trunk get no answer at all.
 */
final class InviteHandler {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");

    private final SipProvider provider;
    private final SipMessages messages;
    private final RoutingState routing;
    private final Admission admission;
    private final DigestAuthenticator digest;
    private final RejectionCache<Object> rejections;
    private final CallStats stats;
    private final CallRegistry calls;
    private final RtpPorts rtpPorts;
    private final RoomProvisioner rooms;
    private final ExecutorService liveKitCalls;
    private final ScheduledExecutorService timers;
    private final String advertisedAddress;
    private final String realm;
    private final boolean answerUnknownSources;
    /** Paces prompts and, with the bridge, the audio both ways. */
    private final ScheduledExecutorService mediaClock;
    private final boolean bridgeAudio;
    private final RoomCodec roomCodec;

    InviteHandler(SipProvider provider, SipMessages messages, RoutingState routing, Admission admission,
                  DigestAuthenticator digest, RejectionCache<Object> rejections, CallStats stats, CallRegistry calls,
                  RtpPorts rtpPorts, RoomProvisioner rooms, ExecutorService liveKitCalls,
                  ScheduledExecutorService timers, String advertisedAddress, String realm, boolean answerUnknownSources,
                  ScheduledExecutorService mediaClock, boolean bridgeAudio, RoomCodec roomCodec) {
        this.provider = provider;
        this.messages = messages;
        this.routing = routing;
        this.admission = admission;
        this.digest = digest;
        this.rejections = rejections;
        this.stats = stats;
        this.calls = calls;
        this.rtpPorts = rtpPorts;
        this.rooms = rooms;
        this.liveKitCalls = liveKitCalls;
        this.timers = timers;
        this.advertisedAddress = advertisedAddress;
        this.realm = realm;
        this.answerUnknownSources = answerUnknownSources;
        this.mediaClock = mediaClock;
        this.bridgeAudio = bridgeAudio;
        this.roomCodec = roomCodec;
    }

    void handle(Request request, ServerTransaction existing) throws Exception {
        long arrived = System.nanoTime();
        String sipCallId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        // From tag and CSeq: a retransmission repeats both; a new attempt on the same Call-ID (another offer,
        // new credentials) has a higher CSeq and is routed again.
        String attempt = (from.getTag() == null ? "" : from.getTag()) + " "
                + ((javax.sip.header.CSeqHeader) request.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber();
        Object cached = rejections.get(sipCallId, attempt);
        if (cached != null) {
            if (cached instanceof Response response) {
                transaction(request, existing).sendResponse(response);
            }
            return;
        }
        InetAddress source = ((SIPRequest) request).getRemoteAddress();
        RoutingTable table = routing.current().table();
        CallRequest call = callRequest(request, source, sipCallId);

        RoutingTable.TrunkMatch match = table.selectTrunk(call);
        if (match instanceof RoutingTable.TrunkMatch.Rejected rejected) {
            Decision.Reject reject = rejected.reject();
            if (reject.reason() == Reason.UNKNOWN_SOURCE && !answerUnknownSources) {
                stats.rejected(CallStats.NONE, CallStats.NONE, reject.reason());
                // Remembered as "no answer", so retransmissions are dropped without being routed again.
                rejections.put(sipCallId, attempt, Boolean.FALSE);
                LOG.info("event=dropped call={} from={} to={} source={} reason={} detail=\"{}\"", sipCallId,
                        call.fromUser(), call.toUser(), source.getHostAddress(), reject.reason().metricLabel(),
                        reject.detail());
                return;
            }
            reject(request, existing, sipCallId, attempt, reject.reason(), reject.trunk(), CallStats.NONE,
                    reject.detail(), Map.of());
            return;
        }
        // After trunk selection, so sources no trunk admits never learn that the gateway drains or is full.
        Reason refused = admission.check(source);
        if (refused != null) {
            CompiledTrunk trunk = ((RoutingTable.TrunkMatch.Found) match).trunk();
            reject(request, existing, sipCallId, attempt, refused, trunk, CallStats.NONE, refused.explanation(),
                    Map.of());
            return;
        }
        ServerTransaction transaction = transaction(request, existing);
        transaction.sendResponse(messages.response(Response.TRYING, request, null));
        CompiledTrunk trunk = ((RoutingTable.TrunkMatch.Found) match).trunk();
        if (trunk != null && trunk.requiresAuth() && !authenticated(request, transaction, sipCallId, attempt, trunk)) {
            return;
        }
        Decision decision = table.dispatch(trunk, call);
        if (decision instanceof Decision.Reject reject) {
            reject(request, transaction, sipCallId, attempt, reject.reason(), trunk, CallStats.NONE, reject.detail(),
                    Map.of());
            return;
        }
        if (decision instanceof Decision.PinRequired pin) {
            setUp(request, transaction, sipCallId, attempt, arrived, pin.trunk(), pin.rule().name(), null, call);
            return;
        }
        Decision.Accept accept = (Decision.Accept) decision;
        setUp(request, transaction, sipCallId, attempt, arrived, accept.trunk(), accept.rule().name(), accept, call);
    }

    private boolean authenticated(Request request, ServerTransaction transaction, String sipCallId, String attempt,
                                  CompiledTrunk trunk) throws Exception {
        String trunkRealm = trunk.spec().auth().realm() == null ? realm : trunk.spec().auth().realm();
        ProxyAuthorizationHeader header = (ProxyAuthorizationHeader) request.getHeader(ProxyAuthorizationHeader.NAME);
        if (header == null) {
            challenge(request, transaction, sipCallId, trunkRealm, false);
            LOG.debug("event=challenged call={} trunk={}", sipCallId, trunk.name());
            return false;
        }
        DigestAuthenticator.Credentials credentials = new DigestAuthenticator.Credentials(header.getUsername(),
                header.getRealm(), header.getNonce(), header.getURI() == null ? "" : header.getURI().toString(),
                header.getResponse(), header.getQop(), header.getParameter("nc"), header.getCNonce());
        DigestAuthenticator.Outcome outcome = digest.verify(credentials, request.getMethod(), sipCallId,
                trunk.spec().auth().username(), trunk.spec().auth().password(), trunkRealm);
        switch (outcome) {
            case OK -> {
                return true;
            }
            case STALE -> {
                challenge(request, transaction, sipCallId, trunkRealm, true);
                LOG.info("event=challenged call={} trunk={} stale=true", sipCallId, trunk.name());
                return false;
            }
            default -> {
                String why = outcome == DigestAuthenticator.Outcome.REPLAYED
                        ? "the nonce was already used; each nonce is accepted once"
                        : "user " + credentials.username() + " did not prove the password of SipTrunk " + trunk.name()
                        + " (realm " + trunkRealm + ")";
                reject(request, transaction, sipCallId, attempt, Reason.AUTH_FAILED, trunk, CallStats.NONE, why,
                        Map.of());
                return false;
            }
        }
    }

    private void challenge(Request request, ServerTransaction transaction, String sipCallId, String trunkRealm,
                           boolean stale) throws Exception {
        Response response = messages.response(Response.PROXY_AUTHENTICATION_REQUIRED, request, SipMessages.newTag());
        ProxyAuthenticateHeader header = messages.headers().createProxyAuthenticateHeader("Digest");
        header.setRealm(trunkRealm);
        header.setNonce(digest.newNonce(sipCallId));
        header.setAlgorithm("MD5");
        header.setQop("auth");
        if (stale) {
            header.setStale(true);
        }
        response.setHeader(header);
        transaction.sendResponse(response);
    }

    /**
     * SDP, RTP ports and the call's entry in the registry; then either ringing while the room is set up, or, for a
     * PIN-protected rule ({@code accept} null), an answer at once and the PIN prompt.
     */
    private void setUp(Request request, ServerTransaction transaction, String sipCallId, String attempt, long arrived,
                       CompiledTrunk trunk, String ruleName, Decision.Accept accept, CallRequest callRequest)
            throws Exception {
        List<Codec> codecs = trunk != null && trunk.spec().media().codecs() != null
                ? trunk.spec().media().codecs()
                : routing.current().loaded().config().gateway().getSpec().media().codecs();
        SdpNegotiator.Negotiated media;
        try {
            byte[] body = request.getRawContent();
            if (body == null || body.length == 0) {
                throw new SdpNegotiator.NegotiationException("the INVITE carries no SDP offer", true);
            }
            media = new SdpNegotiator(codecs).negotiate(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (SdpNegotiator.NegotiationException e) {
            if (e.noCommonCodec()) {
                reject(request, transaction, sipCallId, attempt, Reason.NO_COMMON_CODEC, trunk, ruleName,
                        e.getMessage(), Map.of());
            } else {
                transaction.sendResponse(messages.response(Response.BAD_REQUEST, request, SipMessages.newTag()));
                LOG.info("event=rejected call={} status=400 detail=\"{}\"", sipCallId, e.getMessage());
            }
            return;
        }
        RtpPorts.Pair ports = rtpPorts.allocate();
        String toTag = SipMessages.newTag();
        Call call = new Call(sipCallId, trunk, accept, transaction, ports, media);
        calls.add(call);
        if (accept == null) {
            askForPin(request, call, toTag, ruleName, callRequest, arrived);
            return;
        }
        Response ringing = ringing(request, toTag);
        transaction.sendResponse(ringing);
        LOG.info("event=ringing call={} trunk={} rule={} room={} from={} to={} codec={} rtpPort={}", sipCallId,
                call.trunkName(), ruleName, accept.roomName(), ((FromHeader) request.getHeader(FromHeader.NAME))
                        .getAddress().getURI(), ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI(),
                media.codec(), call.rtpPort());
        String ringingTimeout = trunk == null ? SipTrunkSpec.DEFAULT_RINGING_TIMEOUT : trunk.spec().ringingTimeout();
        timers.schedule(() -> giveUpRinging(request, call, toTag, ringingTimeout),
                Durations.parse(ringingTimeout).toMillis(), TimeUnit.MILLISECONDS);
        liveKitCalls.execute(() -> provisionAndAnswer(request, call, toTag, arrived, ringing));
    }

    private Response ringing(Request request, String toTag) throws Exception {
        Response ringing = messages.response(Response.RINGING, request, toTag);
        ringing.setHeader(messages.contact(transport(request)));
        return ringing;
    }

    /** The 200 OK with the gateway's SDP answer. */
    private Response ok(Request request, Call call, String toTag) throws Exception {
        Response ok = messages.response(Response.OK, request, toTag);
        ok.setHeader(messages.contact(transport(request)));
        messages.withSdp(ok, call.media().answer(advertisedAddress, call.rtpPort(), call.started().toEpochMilli(),
                call.sdpVersion()));
        return ok;
    }

    /** The trunk's maxCallDuration, as written (the default without a trunk). */
    private static String maxCallDuration(Call call) {
        return call.trunk() == null ? SipTrunkSpec.DEFAULT_MAX_CALL_DURATION : call.trunk().spec().maxCallDuration();
    }

    private ScheduledFuture<?> maxDurationTimer(Call call) {
        String maxDurationText = maxCallDuration(call);
        return timers.schedule(() -> calls.hangUp(call, "maxCallDuration " + maxDurationText + " reached"),
                Durations.parse(maxDurationText).toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A PIN-protected rule: answer now, since the caller must hear the prompt; the call is counted once the PIN
     * admits it to a room. Prompts go out on the call's RTP stream from the media clock.
     */
    private void askForPin(Request request, Call call, String toTag, String ruleName, CallRequest callRequest,
                           long arrived) throws Exception {
        ScheduledFuture<?> maxDuration = maxDurationTimer(call);
        if (!call.answered(call.invite().getDialog(), null, maxDuration)) {
            maxDuration.cancel(false);
            return;
        }
        call.invite().sendResponse(ok(request, call, toTag));
        PromptPlayer player = new PromptPlayer(call.sipCallId(), call.rtp(), call.media().codec(), call.toPhone(),
                call::remoteMedia);
        call.audio().prompts(player);
        player.start(mediaClock);
        LOG.info("event=pin_prompt call={} trunk={} rule={} codec={} rtpPort={}", call.sipCallId(), call.trunkName(),
                ruleName, call.media().codec(), call.rtpPort());
        new PinCollector(call::digitListener, PinCollector.WAIT, player, timers, ruleName,
                pin -> routing.current().table().dispatch(call.trunk(), callRequest.withPin(pin)),
                new PinCollector.Outcome() {
                    @Override
                    public void admitted(Decision.Accept accept) {
                        LOG.info("event=pin_accepted call={} rule={} room={}", call.sipCallId(), accept.rule().name(),
                                accept.roomName());
                        call.admit(accept);
                        liveKitCalls.execute(() -> joinAfterPin(call, arrived));
                    }

                    @Override
                    public void refused(Reason reason, String rule, String detail) {
                        stats.rejected(call.trunkName(), rule, reason);
                        LOG.info("event=rejected call={} trunk={} rule={} status=BYE reason={} detail=\"{}\"",
                                call.sipCallId(), call.trunkName(), rule, reason.metricLabel(), detail);
                        calls.hangUp(call, reason.headerText());
                    }
                }).start();
    }

    /** After the right PIN: the prompt stops, the caller joins the room, and from then on the call counts. */
    private void joinAfterPin(Call call, long arrived) {
        Decision.Accept accept = call.decision();
        call.audio().endPrompts();
        try {
            join(call);
            if (call.state() == Call.State.ENDED) {
                return;
            }
            Duration setup = Duration.ofNanos(System.nanoTime() - arrived);
            if (!call.counted(stats.started(call.trunkName(), accept.rule().name(), setup))) {
                return;
            }
            rooms.callStatus(accept.roomName(), accept.participant().identity(), "active");
            LOG.info("event=answered call={} trunk={} rule={} room={} setupMs={} pin=true", call.sipCallId(),
                    call.trunkName(), accept.rule().name(), accept.roomName(), setup.toMillis());
        } catch (Exception e) {
            LOG.warn("event=room_failed call={} room={} error=\"{}\"", call.sipCallId(), accept.roomName(),
                    describe(e));
            stats.rejected(call.trunkName(), accept.rule().name(), Reason.ROOM_UNAVAILABLE);
            calls.hangUp(call, Reason.ROOM_UNAVAILABLE.headerText());
        }
    }

    /** A call still not answered after the trunk's ringingTimeout ends with 480. */
    private void giveUpRinging(Request request, Call call, String toTag, String ringingTimeout) {
        if (call.state() != Call.State.SETTING_UP) {
            return;
        }
        calls.release(call);
        try {
            call.invite().sendResponse(messages.rejection(Reason.RINGING_TIMEOUT, request, toTag, Map.of()));
        } catch (Exception e) {
            LOG.debug("could not send 480 for {}", call.sipCallId(), e);
        }
        stats.rejected(call.trunkName(), call.decision().rule().name(), Reason.RINGING_TIMEOUT);
        LOG.info("event=rejected call={} trunk={} rule={} status=480 reason=ringing_timeout detail=\"not answered "
                + "within the trunk's ringingTimeout of {}\"", call.sipCallId(), call.trunkName(),
                call.decision().rule().name(), ringingTimeout);
    }

    /**
     * Audio both ways: the room's tracks mixed to the phone, and the caller's RTP published as a track. The room
     * side subscribes first, so LiveKit's offer finds it.
     */
    private void bridge(Call call) throws Exception {
        SdpNegotiator.Negotiated media = call.media();
        RoomToPhone toPhone = new RoomToPhone(call.sipCallId(), call.rtp(), call.rtcp(), media.codec(),
                call.toPhone(), media.telephoneEvent(), call::remoteMedia);
        RoomAudioSubscriber subscriber = RoomAudioSubscriber.subscribe(call.participant(), WebRtcEngine.get(),
                toPhone::accept, toPhone::dtmf);
        call.audio().roomToPhone(subscriber, toPhone);
        int phoneRate = PhoneCodec.of(media.codec()).sampleRate();
        RoomAudioPublisher publisher = RoomAudioPublisher.publish(call.participant(), WebRtcEngine.get(), phoneRate,
                roomCodec == RoomCodec.opus || media.codec() == Codec.G722 ? "opus" : media.codec().name(), 10_000);
        PhoneToRoom phone = new PhoneToRoom(call.sipCallId(), call.rtp(), call.callerRtp(), media.codec(),
                media.payloadType(), media.telephoneEvent(), phoneRate, publisher::push,
                digit -> {
                    call.digit(digit, "rfc4733");
                    publisher.sendDtmf(digit);
                }, () -> call.mediaSeen(System.currentTimeMillis()));
        call.audio().phoneToRoom(publisher, phone);
        phone.start(mediaClock);
        toPhone.start(mediaClock);
    }

    /** The room, the caller's participant in it, and the audio bridge when the gateway has one. */
    private void join(Call call) throws Exception {
        Decision.Accept accept = call.decision();
        rooms.provision(accept.roomName(), accept.room());
        call.participant(rooms.joinCaller(accept, Durations.parse(maxCallDuration(call)).plusHours(1), timers,
                why -> calls.hangUp(call, why)));
        if (call.state() == Call.State.ENDED) {
            call.participant().close();
            return;
        }
        if (bridgeAudio) {
            bridge(call);
        }
    }

    /**
     * Runs off the SIP thread: LiveKit's API is a network round trip. With the bridge and a trunk that answers on
     * the first track, 180 Ringing repeats every second until the room's first audio track is subscribed.
     */
    private void provisionAndAnswer(Request request, Call call, String toTag, long arrived, Response ringing) {
        Decision.Accept accept = call.decision();
        try {
            join(call);
            if (call.state() == Call.State.ENDED) {
                return;
            }
            boolean waitForTrack = bridgeAudio && (call.trunk() == null
                    || call.trunk().spec().answerWhen() == AnswerWhen.firstTrack);
            if (waitForTrack) {
                ScheduledFuture<?> repeat = timers.scheduleAtFixedRate(() -> ringAgain(call, ringing), 1, 1,
                        TimeUnit.SECONDS);
                call.audio().firstRoomTrack().whenComplete((track, error) -> {
                    repeat.cancel(false);
                    if (error == null) {
                        liveKitCalls.execute(() -> answer(request, call, toTag, arrived));
                    }
                });
                LOG.info("event=waiting_for_room call={} room={} why=\"the trunk answers once a first audio track "
                        + "plays in the room (answerWhen: firstTrack)\"", call.sipCallId(), accept.roomName());
            } else {
                answer(request, call, toTag, arrived);
            }
        } catch (Exception e) {
            roomFailed(request, call, toTag, e);
        }
    }

    private void ringAgain(Call call, Response ringing) {
        if (call.state() != Call.State.SETTING_UP) {
            return;
        }
        try {
            call.invite().sendResponse((Response) ringing.clone());
        } catch (Exception e) {
            LOG.debug("could not repeat 180 for {}", call.sipCallId(), e);
        }
    }

    private void answer(Request request, Call call, String toTag, long arrived) {
        Decision.Accept accept = call.decision();
        try {
            Duration setup = Duration.ofNanos(System.nanoTime() - arrived);
            CallStats.ActiveCall counted = stats.started(call.trunkName(), accept.rule().name(), setup);
            ScheduledFuture<?> maxDuration = maxDurationTimer(call);
            if (!call.answered(call.invite().getDialog(), counted, maxDuration)) {
                maxDuration.cancel(false);
                counted.close();
                return;
            }
            call.invite().sendResponse(ok(request, call, toTag));
            rooms.callStatus(accept.roomName(), accept.participant().identity(), "active");
            LOG.info("event=answered call={} trunk={} rule={} room={} setupMs={}", call.sipCallId(), call.trunkName(),
                    accept.rule().name(), accept.roomName(), setup.toMillis());
        } catch (Exception e) {
            roomFailed(request, call, toTag, e);
        }
    }

    private void roomFailed(Request request, Call call, String toTag, Exception e) {
        Decision.Accept accept = call.decision();
        LOG.warn("event=room_failed call={} room={} error=\"{}\"", call.sipCallId(), accept.roomName(),
                describe(e));
        if (call.state() == Call.State.SETTING_UP) {
            calls.release(call);
            try {
                call.invite().sendResponse(messages.rejection(Reason.ROOM_UNAVAILABLE, request, toTag, Map.of()));
            } catch (Exception sendFailed) {
                LOG.debug("could not send 503 for {}", call.sipCallId(), sendFailed);
            }
            stats.rejected(call.trunkName(), accept.rule().name(), Reason.ROOM_UNAVAILABLE);
        }
    }

    /** An exception for the log: its message, or its kind when it has none (a timeout). */
    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private void reject(Request request, ServerTransaction transaction, String sipCallId, String attempt,
                        Reason reason, CompiledTrunk trunk, String rule, String detail,
                        Map<String, String> extraHeaders) throws Exception {
        Response response = messages.rejection(reason, request, SipMessages.newTag(), extraHeaders);
        transaction(request, transaction).sendResponse(response);
        rejections.put(sipCallId, attempt, response);
        String trunkName = trunk == null ? CallStats.NONE : trunk.name();
        stats.rejected(trunkName, rule, reason);
        LOG.info("event=rejected call={} trunk={} rule={} status={} reason={} detail=\"{}\"", sipCallId,
                trunkName.isEmpty() ? "-" : trunkName, rule.isEmpty() ? "-" : rule, reason.sipStatus(),
                reason.metricLabel(), detail);
    }

    private ServerTransaction transaction(Request request, ServerTransaction existing) throws Exception {
        if (existing != null) {
            return existing;
        }
        try {
            return provider.getNewServerTransaction(request);
        } catch (TransactionAlreadyExistsException e) {
            throw new RetransmissionException();
        }
    }

    /** The stack already answers retransmissions of a request it has a transaction for. */
    static final class RetransmissionException extends Exception {
        RetransmissionException() {
            super(null, null, false, false);
        }
    }

    private static CallRequest callRequest(Request request, InetAddress source, String sipCallId) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        Map<String, String> headers = new LinkedHashMap<>();
        ListIterator<?> names = request.getHeaderNames();
        while (names.hasNext()) {
            String name = (String) names.next();
            Header header = request.getHeader(name);
            if (header != null) {
                String text = header.toString();
                int colon = text.indexOf(':');
                headers.put(name, (colon < 0 ? text : text.substring(colon + 1)).trim());
            }
        }
        return new CallRequest(source, transport(request), user(from.getAddress().getURI()),
                host(from.getAddress().getURI()), user(to.getAddress().getURI()), "SCL_" + SipMessages.newTag(),
                sipCallId, headers, PinEntry.NOT_ASKED);
    }

    static String transport(Request request) {
        String transport = ((SIPRequest) request).getTopmostVia().getTransport();
        return transport == null ? "udp" : transport.toLowerCase(java.util.Locale.ROOT);
    }

    private static String user(URI uri) {
        return uri instanceof SipURI sip && sip.getUser() != null ? sip.getUser() : "";
    }

    private static String host(URI uri) {
        return uri instanceof SipURI sip && sip.getHost() != null ? sip.getHost() : "";
    }
}
