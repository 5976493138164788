package io.dialtone.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.SipTrunkSpec;
import io.dialtone.gateway.config.RoutingState;
import io.dialtone.gateway.livekit.RoomAudioPublisher;
import io.dialtone.gateway.livekit.RoomAudioSubscriber;
import io.dialtone.gateway.livekit.RoomProvisioner;
import io.dialtone.gateway.livekit.WebRtcEngine;
import io.dialtone.gateway.media.PhoneToRoom;
import io.dialtone.gateway.media.RoomToPhone;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.CompiledTrunk;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import io.dialtone.routing.RoutingTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
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
    /** Null while the audio bridge is off. */
    private final ScheduledExecutorService mediaClock;

    InviteHandler(SipProvider provider, SipMessages messages, RoutingState routing, Admission admission,
                  DigestAuthenticator digest, RejectionCache<Object> rejections, CallStats stats, CallRegistry calls,
                  RtpPorts rtpPorts, RoomProvisioner rooms, ExecutorService liveKitCalls,
                  ScheduledExecutorService timers, String advertisedAddress, String realm, boolean answerUnknownSources,
                  ScheduledExecutorService mediaClock) {
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
            reject(request, transaction, sipCallId, attempt, Reason.ROOM_UNAVAILABLE, trunk, pin.rule().name(),
                    "DispatchRule " + pin.rule().name() + " asks for a PIN, and PIN entry needs the media bridge, "
                            + "which this gateway build does not include", Map.of());
            return;
        }
        answer(request, transaction, (Decision.Accept) decision, sipCallId, attempt, arrived);
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

    private void answer(Request request, ServerTransaction transaction, Decision.Accept accept, String sipCallId,
                        String attempt, long arrived) throws Exception {
        String trunkName = accept.trunk() == null ? CallStats.NONE : accept.trunk().name();
        List<Codec> codecs = accept.trunk() != null && accept.trunk().spec().media().codecs() != null
                ? accept.trunk().spec().media().codecs()
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
                reject(request, transaction, sipCallId, attempt, Reason.NO_COMMON_CODEC, accept.trunk(),
                        accept.rule().name(), e.getMessage(), Map.of());
            } else {
                transaction.sendResponse(messages.response(Response.BAD_REQUEST, request, SipMessages.newTag()));
                LOG.info("event=rejected call={} status=400 detail=\"{}\"", sipCallId, e.getMessage());
            }
            return;
        }
        RtpPorts.Pair ports = rtpPorts.allocate();
        String toTag = SipMessages.newTag();
        Call call = new Call(sipCallId, accept, transaction, ports, media);
        calls.add(call);
        Response ringing = messages.response(Response.RINGING, request, toTag);
        ringing.setHeader(messages.contact(transport(request)));
        transaction.sendResponse(ringing);
        LOG.info("event=ringing call={} trunk={} rule={} room={} from={} to={} codec={} rtpPort={}", sipCallId,
                trunkName, accept.rule().name(), accept.roomName(), ((FromHeader) request.getHeader(FromHeader.NAME))
                        .getAddress().getURI(), ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI(),
                media.codec(), call.rtpPort());
        String ringingTimeout = accept.trunk() == null ? SipTrunkSpec.DEFAULT_RINGING_TIMEOUT
                : accept.trunk().spec().ringingTimeout();
        timers.schedule(() -> giveUpRinging(request, call, toTag, ringingTimeout),
                Durations.parse(ringingTimeout).toMillis(), TimeUnit.MILLISECONDS);
        liveKitCalls.execute(() -> provisionAndAnswer(request, call, toTag, arrived));
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
        // A re-INVITE may move the caller's media, so the address is read again for every packet.
        RoomToPhone toPhone = new RoomToPhone(call.sipCallId(), call.rtp(), call.rtcp(), media.codec(),
                media.payloadType(), media.telephoneEvent(),
                () -> new InetSocketAddress(call.media().remoteAddress(), call.media().remotePort()));
        RoomAudioSubscriber subscriber = RoomAudioSubscriber.subscribe(call.participant(), WebRtcEngine.get(),
                toPhone::accept, toPhone::dtmf);
        call.audio().roomToPhone(subscriber, toPhone);
        RoomAudioPublisher publisher = RoomAudioPublisher.publish(call.participant(), WebRtcEngine.get(), 10_000);
        PhoneToRoom phone = new PhoneToRoom(call.sipCallId(), call.rtp(), call.callerRtp(), media.codec(),
                media.payloadType(), media.telephoneEvent(), RoomAudioPublisher.SAMPLE_RATE, publisher::push,
                digit -> {
                    CallRegistry.rfc4733Digit(call, digit);
                    publisher.sendDtmf(digit);
                }, () -> call.mediaSeen(System.currentTimeMillis()));
        call.audio().phoneToRoom(publisher, phone);
        phone.start(mediaClock);
        toPhone.start(mediaClock);
    }

    /** Runs off the SIP thread: LiveKit's API is a network round trip. */
    private void provisionAndAnswer(Request request, Call call, String toTag, long arrived) {
        Decision.Accept accept = call.decision();
        try {
            rooms.provision(accept.roomName(), accept.room());
            String maxDurationText = accept.trunk() == null
                    ? SipTrunkSpec.DEFAULT_MAX_CALL_DURATION : accept.trunk().spec().maxCallDuration();
            Duration maxDuration = Durations.parse(maxDurationText);
            call.participant(rooms.joinCaller(accept, maxDuration.plusHours(1), timers,
                    why -> calls.hangUp(call, why)));
            if (call.state() == Call.State.ENDED) {
                call.participant().close();
                return;
            }
            if (mediaClock != null && call.media().codec() == Codec.G722) {
                LOG.warn("event=no_audio call={} codec=G722 why=\"the audio bridge carries PCMU and PCMA; list them "
                        + "before G722 in the gateway's or trunk's media.codecs\"", call.sipCallId());
            } else if (mediaClock != null) {
                bridge(call);
            }
            Response ok = messages.response(Response.OK, request, toTag);
            ok.setHeader(messages.contact(transport(request)));
            messages.withSdp(ok, call.media().answer(advertisedAddress, call.rtpPort(), call.started().toEpochMilli(),
                    call.sdpVersion()));
            Duration setup = Duration.ofNanos(System.nanoTime() - arrived);
            CallStats.ActiveCall counted = stats.started(call.trunkName(), accept.rule().name(), setup);
            if (!call.answered(call.invite().getDialog(), counted,
                    timers.schedule(() -> calls.hangUp(call, "maxCallDuration " + maxDurationText + " reached"),
                            maxDuration.toMillis(), TimeUnit.MILLISECONDS))) {
                counted.close();
                return;
            }
            call.invite().sendResponse(ok);
            rooms.callStatus(accept.roomName(), accept.participant().identity(), "active");
            LOG.info("event=answered call={} trunk={} rule={} room={} setupMs={}", call.sipCallId(), call.trunkName(),
                    accept.rule().name(), accept.roomName(), setup.toMillis());
        } catch (Exception e) {
            LOG.warn("event=room_failed call={} room={} error=\"{}\"", call.sipCallId(), accept.roomName(),
                    e.getMessage());
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
