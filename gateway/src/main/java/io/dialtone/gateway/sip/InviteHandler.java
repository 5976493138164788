package io.dialtone.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.gateway.call.CallScheduler;
import io.dialtone.gateway.config.RoutingState;
import io.dialtone.gateway.log.LogBudget;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.gateway.stats.Counted;
import io.dialtone.routing.CallRequest;
import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.CompiledTrunk;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import io.dialtone.routing.RoutingTable;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
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
 * A new INVITE, from arrival to the call it becomes: admission, trunk, digest authentication, dispatch, SDP, RTP
 * ports. Every refusal is answered with its status and a Reason header, counted, and logged with what would have
 * accepted the call; sources that match no trunk get no answer at all. It runs on the call's loop and keeps no state
 * of its own beyond the cache of past refusals, which answers retransmissions that outlive their transaction.
 */
final class InviteHandler {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");
    /** Dropped INVITEs logged per second: a flood from strangers must not become a flood of log lines. */
    static final int DROPPED_LOG_LINES = 20;
    private final LogBudget droppedLog = LogBudget.perSecond(DROPPED_LOG_LINES);

    /** How a refused INVITE was handled, to handle its retransmissions the same way. */
    sealed interface PastRefusal {
        /** Answered with this response. */
        record Answered(Response response) implements PastRefusal {
        }

        /** Dropped without an answer (a source no trunk admits). */
        record Dropped() implements PastRefusal {
        }
    }

    private final SipProvider provider;
    private final SipMessages messages;
    private final RoutingState routing;
    private final Admission admission;
    private final DigestAuthenticator digest;
    private final RejectionCache<PastRefusal> rejections;
    private final CallStats stats;
    private final RtpPorts rtpPorts;
    private final CallScheduler clock;
    private final String realm;
    private final boolean answerUnknownSources;

    InviteHandler(SipProvider provider, SipMessages messages, RoutingState routing, Admission admission,
                  DigestAuthenticator digest, RejectionCache<PastRefusal> rejections, CallStats stats,
                  RtpPorts rtpPorts, CallScheduler clock, String realm, boolean answerUnknownSources) {
        this.provider = provider;
        this.messages = messages;
        this.routing = routing;
        this.admission = admission;
        this.digest = digest;
        this.rejections = rejections;
        this.stats = stats;
        this.rtpPorts = rtpPorts;
        this.clock = clock;
        this.realm = realm;
        this.answerUnknownSources = answerUnknownSources;
    }

    /** Handles the INVITE; {@link InviteOutcome.Proceed} when it becomes a call, which then answers it. */
    InviteOutcome handle(Request request, ServerTransaction existing) {
        String sipCallId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        try {
            return route(request, existing, sipCallId);
        } catch (RetransmissionException retransmission) {
            LOG.debug("event=retransmission call={} why=\"the stack answers it\"", sipCallId);
            return InviteOutcome.DONE;
        } catch (Exception e) {
            return failed(request, sipCallId, e, () -> transaction(request, existing));
        }
    }

    /** Where the 500 of a failed INVITE goes: its transaction, made now or already there. */
    @FunctionalInterface
    private interface TransactionSource {
        ServerTransaction get() throws Exception;
    }

    /** Logs why the INVITE could not be handled and answers it 500. */
    private InviteOutcome failed(Request request, String sipCallId, Exception cause, TransactionSource transaction) {
        LOG.warn("event=invite_failed call={} error=\"{}\"", sipCallId, cause.toString(), cause);
        try {
            transaction.get().sendResponse(messages.response(Response.SERVER_INTERNAL_ERROR, request,
                    messages.newTag()));
        } catch (Exception unsent) {
            LOG.warn("event=response_failed call={} status=500 error=\"{}\"", sipCallId, unsent.toString());
        }
        return InviteOutcome.DONE;
    }

    /**
     * From tag and CSeq: a retransmission repeats both; a new attempt on the same Call-ID (another offer, new
     * credentials) has a higher CSeq and is routed again.
     */
    private static String attempt(Request request) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        return (from.getTag() == null ? "" : from.getTag()) + " "
                + ((javax.sip.header.CSeqHeader) request.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber();
    }

    /**
     * Drops a new INVITE whose source no trunk admits, before the stack makes a transaction of it (the stack's valve
     * calls this on its own threads): counted as unknown_source once per attempt (not per retransmission) and
     * logged within {@link #DROPPED_LOG_LINES} lines a second, never answered.
     */
    void dropFromUnknownSource(Request request, InetAddress source) {
        String sipCallId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        CallRequest call = callRequest(request, source, sipCallId);
        if (routing.current().table().selectTrunk(call) instanceof RoutingTable.TrunkMatch.Rejected rejected) {
            dropped(sipCallId, attempt(request), call, rejected.reject());
        }
    }

    private void dropped(String sipCallId, String attempt, CallRequest call, Decision.Reject reject) {
        if (rejections.get(sipCallId, attempt) != null) {
            return;
        }
        rejections.put(sipCallId, attempt, new PastRefusal.Dropped());
        stats.rejected(Counted.of(reject.trunk()), Counted.NONE, reject.reason());
        droppedLog.take().ifPresent(line -> LOG.info("event=dropped call={} from={} to={} source={} reason={} "
                        + "detail=\"{}\" unlogged={}", sipCallId, call.fromUser(), call.toUser(),
                call.source().getHostAddress(), reject.reason().metricLabel(), reject.detail(), line.suppressed()));
    }

    private InviteOutcome route(Request request, ServerTransaction existing, String sipCallId) throws Exception {
        long arrived = clock.nanoTime();
        String attempt = attempt(request);
        PastRefusal past = rejections.get(sipCallId, attempt);
        if (past != null) {
            if (past instanceof PastRefusal.Answered answered) {
                transaction(request, existing).sendResponse(answered.response());
            }
            return InviteOutcome.DONE;
        }
        InetAddress source = ((SIPRequest) request).getRemoteAddress();
        RoutingTable table = routing.current().table();
        CallRequest call = callRequest(request, source, sipCallId);

        RoutingTable.TrunkMatch match = table.selectTrunk(call);
        if (match instanceof RoutingTable.TrunkMatch.Rejected rejected) {
            Decision.Reject reject = rejected.reject();
            if (reject.reason() == Reason.UNKNOWN_SOURCE && !answerUnknownSources) {
                // The valve drops these first; one gets here only if the trunks changed in between.
                dropped(sipCallId, attempt, call, reject);
                return InviteOutcome.DONE;
            }
            Optional<CompiledTrunk> guard = table.authGuard(source, call.fromHost());
            if (guard.isPresent()) {
                // Challenged like a call to a listed number: only a peer with the trunk's password learns the reason,
                // and guesses at the password are held to the same rate limits.
                Optional<Reason> limited = admission.check(source);
                if (limited.isPresent()) {
                    reject(request, existing, sipCallId, attempt, limited.get(), guard.get(), Counted.NONE,
                            limited.get().explanation());
                    return InviteOutcome.DONE;
                }
                ServerTransaction transaction = transaction(request, existing);
                transaction.sendResponse(messages.response(Response.TRYING, request, null));
                if (!authenticated(request, transaction, sipCallId, attempt, guard.get())) {
                    return InviteOutcome.DONE;
                }
                reject(request, transaction, sipCallId, attempt, reject.reason(), reject.trunk(), Counted.NONE,
                        reject.detail());
                return InviteOutcome.DONE;
            }
            reject(request, existing, sipCallId, attempt, reject.reason(), reject.trunk(), Counted.NONE,
                    reject.detail());
            return InviteOutcome.DONE;
        }
        CallTrunk trunk = ((RoutingTable.TrunkMatch.Found) match).trunk();
        // After trunk selection, so sources no trunk admits never learn that the gateway drains or is full.
        Optional<Reason> refused = admission.check(source);
        if (refused.isPresent()) {
            reject(request, existing, sipCallId, attempt, refused.get(), trunk, Counted.NONE,
                    refused.get().explanation());
            return InviteOutcome.DONE;
        }
        ServerTransaction transaction = transaction(request, existing);
        try {
            return admit(request, transaction, sipCallId, attempt, arrived, trunk, call, table);
        } catch (Exception e) {
            // The transaction exists now: a second one cannot be made, so the 500 goes out on this one.
            return failed(request, sipCallId, e, () -> transaction);
        }
    }

    /** From 100 Trying on: authentication, dispatch, SDP and RTP ports, answered on {@code transaction}. */
    private InviteOutcome admit(Request request, ServerTransaction transaction, String sipCallId, String attempt,
                                long arrived, CallTrunk trunk, CallRequest call, RoutingTable table) throws Exception {
        transaction.sendResponse(messages.response(Response.TRYING, request, null));
        if (trunk instanceof CompiledTrunk compiled && compiled.requiresAuth()
                && !authenticated(request, transaction, sipCallId, attempt, compiled)) {
            return InviteOutcome.DONE;
        }
        Decision decision = table.dispatch(trunk, call);
        if (decision instanceof Decision.Reject reject) {
            reject(request, transaction, sipCallId, attempt, reject.reason(), trunk, Counted.NONE, reject.detail());
            return InviteOutcome.DONE;
        }
        SessionTimer.Asked timerAsked = SessionTimer.requested(request);
        if (timerAsked instanceof SessionTimer.Asked.TooSmall small) {
            Response response = messages.rejection(Reason.SESSION_INTERVAL_TOO_SMALL, request, messages.newTag(),
                    Map.of("Min-SE", String.valueOf(SessionTimer.MIN_SE.toSeconds())));
            sendRejection(request, transaction, sipCallId, attempt, response, Reason.SESSION_INTERVAL_TOO_SMALL, trunk,
                    Counted.NONE, "Session-Expires " + small.asked().toSeconds() + " s is below Min-SE "
                            + SessionTimer.MIN_SE.toSeconds() + " s");
            return InviteOutcome.DONE;
        }
        Optional<SessionTimer> sessionTimer = timerAsked instanceof SessionTimer.Asked.Agreed agreed
                ? Optional.of(agreed.timer()) : Optional.empty();
        CallSetup.Destination destination = decision instanceof Decision.PinRequired pin
                ? new CallSetup.Destination.BehindPin(pin)
                : new CallSetup.Destination.Room((Decision.Accept) decision);
        Counted rule = Counted.of(destination.rule());
        List<Codec> codecs = trunk.spec().media().codecs() != null
                ? trunk.spec().media().codecs()
                : routing.current().loaded().config().gateway().getSpec().media().codecs();
        SdpNegotiator.Negotiated media;
        try {
            byte[] body = request.getRawContent();
            if (body == null || body.length == 0) {
                throw new SdpNegotiator.NegotiationException("the INVITE carries no SDP offer", Reason.NO_COMMON_CODEC);
            }
            media = new SdpNegotiator(codecs, call.source(), trunk.spec().media().encryption(),
                    SdpNegotiator.newLocalKey()).negotiate(new String(body,
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (SdpNegotiator.NegotiationException e) {
            reject(request, transaction, sipCallId, attempt, e.reason(), trunk, rule, e.getMessage());
            return InviteOutcome.DONE;
        }
        RtpPorts.Pair ports;
        try {
            ports = rtpPorts.allocate();
        } catch (java.io.IOException exhausted) {
            reject(request, transaction, sipCallId, attempt, Reason.CAPACITY, trunk, rule, exhausted.getMessage());
            return InviteOutcome.DONE;
        }
        return new InviteOutcome.Proceed(new CallSetup(trunk, destination, media, ports,
                new JainInviteDialog(provider, messages, request, transaction, sipCallId, sessionTimer,
                        trunk.spec().headers()), call, arrived,
                sessionTimer));
    }

    /**
     * A second INVITE without a To tag for a Call-ID that already holds a call (RFC 3261 8.2.2.2, a merged request):
     * 482 Loop Detected, unless it is a retransmission, which the stack answers.
     */
    void refuseMerged(Request request, ServerTransaction existing) {
        String sipCallId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        try {
            transaction(request, existing).sendResponse(messages.response(Response.LOOP_DETECTED, request,
                    messages.newTag()));
            LOG.info("event=rejected call={} status=482 detail=\"a second INVITE for a Call-ID that holds a call\"",
                    sipCallId);
        } catch (RetransmissionException retransmission) {
            LOG.debug("event=retransmission call={}", sipCallId);
        } catch (Exception e) {
            LOG.warn("event=response_failed call={} status=482 error=\"{}\"", sipCallId, e.toString());
        }
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
                header.getResponse(), header.getQop(), header.getParameter("nc"), header.getCNonce(),
                header.getAlgorithm());
        DigestAuthenticator.Outcome outcome = digest.verify(credentials, request.getMethod(),
                request.getRequestURI().toString(), nonceBinding(request, sipCallId), trunk.spec().auth().username(),
                trunk.spec().auth().password(), trunkRealm);
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
                reject(request, transaction, sipCallId, attempt, Reason.AUTH_FAILED, trunk, Counted.NONE, why);
                return false;
            }
        }
    }

    private void challenge(Request request, ServerTransaction transaction, String sipCallId, String trunkRealm,
                           boolean stale) throws Exception {
        Response response = messages.response(Response.PROXY_AUTHENTICATION_REQUIRED, request, messages.newTag());
        // One challenge per algorithm, in Algorithm's order (MD5 first, for clients that read only the topmost one);
        // one nonce serves both.
        String nonce = digest.newNonce(nonceBinding(request, sipCallId));
        for (DigestAuthenticator.Algorithm algorithm : DigestAuthenticator.Algorithm.values()) {
            ProxyAuthenticateHeader header = messages.headers().createProxyAuthenticateHeader("Digest");
            header.setRealm(trunkRealm);
            header.setNonce(nonce);
            header.setAlgorithm(algorithm.token());
            header.setQop("auth");
            if (stale) {
                header.setStale(true);
            }
            response.addHeader(header);
        }
        transaction.sendResponse(response);
    }

    /**
     * What a nonce is bound to: the call and the address it came from, so a response seen on the wire cannot be
     * replayed from elsewhere (each pod keeps its own record of used nonces, so only the address stops a replay at
     * another pod).
     */
    private static String nonceBinding(Request request, String sipCallId) {
        return sipCallId + " " + ((SIPRequest) request).getRemoteAddress().getHostAddress();
    }

    private void reject(Request request, ServerTransaction transaction, String sipCallId, String attempt,
                        Reason reason, CallTrunk trunk, Counted rule, String detail) throws Exception {
        sendRejection(request, transaction, sipCallId, attempt,
                messages.rejection(reason, request, messages.newTag(), Map.of()), reason, trunk, rule, detail);
    }

    private void sendRejection(Request request, ServerTransaction transaction, String sipCallId, String attempt,
                               Response response, Reason reason, CallTrunk trunk, Counted rule, String detail)
            throws Exception {
        transaction(request, transaction).sendResponse(response);
        rejections.put(sipCallId, attempt, new PastRefusal.Answered(response));
        String trunkName = trunk.name();
        stats.rejected(Counted.of(trunk), rule, reason);
        LOG.info("event=rejected call={} trunk={} rule={} status={} reason={} detail=\"{}\"", sipCallId,
                trunkName.isEmpty() ? "-" : trunkName, rule.name().isEmpty() ? "-" : rule.name(), reason.sipStatus(),
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
                host(from.getAddress().getURI()), user(to.getAddress().getURI()), "SCL_" + SipMessages.randomToken(),
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
