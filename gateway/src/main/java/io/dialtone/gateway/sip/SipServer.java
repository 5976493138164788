package io.dialtone.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import io.dialtone.api.v1alpha1.RoomCodec;
import io.dialtone.api.v1alpha1.SipTransport;
import io.dialtone.gateway.call.CallScheduler;
import io.dialtone.gateway.call.ExecutorCallScheduler;
import io.dialtone.gateway.config.RoutingState;
import io.dialtone.gateway.livekit.LiveKitRoomLegs;
import io.dialtone.gateway.livekit.RoomProvisioner;
import io.dialtone.gateway.media.FrameClock;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.gateway.transport.ConnectionGuard;
import io.dialtone.gateway.transport.GuardedNetworkLayer;
import io.dialtone.gateway.transport.TlsCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's SIP side on JAIN-SIP: listening points, and every request the gateway can receive. Nothing thrown
 * while handling a request reaches the stack: the caller gets 500 and the log says why.
 */
public final class SipServer implements SipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipServer.class);
    private static final Logger CALLS = LoggerFactory.getLogger("dialtone.calls");
    private static final int ROOM_THREADS = 64;
    private static final int MEDIA_CLOCK_THREADS = 2;
    private static final int EVENT_THREADS = 4;

    /** How the server is set up beyond the routing configuration. */
    public record Settings(String bindAddress, int port, List<SipTransport> transports, String advertisedAddress,
                           int rtpMin, int rtpMax, Integer maxActiveCalls, double invitesPerSecondPerSource,
                           double invitesPerSecondTotal,
                           Duration mediaTimeout, Duration nonceLifetime, boolean answerUnknownSources, Tls tls,
                           boolean bridgeAudio, RoomCodec roomCodec,
                           ConnectionGuard.Limits connections,
                           java.util.function.Supplier<io.dialtone.gateway.peers.Peers> peers) {
    }

    /** The TLS listener: its port and the PEM files of its certificate chain and key. */
    public record Tls(int port, java.nio.file.Path certificateFile, java.nio.file.Path privateKeyFile) {
    }

    private final SipStack stack;
    private final SipProvider provider;
    private final SipMessages messages;
    private final CallRegistry calls;
    private final Admission admission;
    private final InviteHandler invites;
    private final ExecutorService liveKitCalls;
    private final ExecutorService callEvents;
    private final ScheduledExecutorService timers;
    private final ScheduledExecutorService mediaClock;
    private final Call.Services services;
    private final RoutingState routing;
    private final CallStats stats;
    private final boolean answerUnknownSources;
    private final ConnectionGuard connections;
    private final DialogRouter router;

    static final int UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
    /** TLS 1.3, and TLS 1.2 with forward-secret AEAD suites only, for RSA and EC certificates. */
    static final List<String> TLS_SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    public SipServer(Settings settings, RoutingState routing, CallStats stats, RoomProvisioner rooms) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", stackName(settings));
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        properties.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        // A REFER's NOTIFYs come in the call's dialog; the stack would match them only to a REFER that carried an
        // Event header, which a REFER does not. The call checks they are its own (Call.transferNotified).
        properties.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", "true");
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
        // Every peer may be hostile (docs/security.md). Without a cap the stack allocates whatever Content-Length a
        // TCP or TLS message announces, before a byte of the body has come.
        properties.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE",
                String.valueOf(settings.connections().maxMessageBytes()));
        // A connection that stops in the middle of a message is closed (the stack times reads within a message).
        properties.setProperty("gov.nist.javax.sip.READ_TIMEOUT",
                String.valueOf(settings.connections().readTimeout().toMillis()));
        // UDP requests wait here while the stack's threads are busy (a flood, a collection pause); at the kernel's
        // default (208 KiB, some 300 INVITEs) a flood from strangers makes carriers' INVITEs wait for retransmission.
        // The kernel caps it at net.core.rmem_max.
        properties.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", String.valueOf(UDP_RECEIVE_BUFFER_BYTES));
        properties.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", MalformedMessageFilter.class.getName());
        properties.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", StrangerFilter.class.getName());
        Optional<javax.net.ssl.SSLContext> tls = Optional.empty();
        if (settings.transports().contains(SipTransport.tls)) {
            if (settings.tls() == null || settings.tls().certificateFile() == null
                    || settings.tls().privateKeyFile() == null) {
                throw new IllegalArgumentException("the tls transport needs spec.sip.tls.certificateFile and "
                        + "privateKeyFile (PEM)");
            }
            tls = Optional.of(TlsCertificate.serverContext(settings.tls().certificateFile(),
                    settings.tls().privateKeyFile()));
            properties.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
            // The stack's defaults leave TLS 1.2 with one suite without forward secrecy once the JDK has disabled
            // the rest; its "client" settings are what the server socket is given too. In milliseconds, whatever
            // the stack's documentation says: a client that never finishes its handshake is cut off.
            properties.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3,TLSv1.2");
            properties.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", TLS_SUITES));
            properties.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT",
                    String.valueOf(settings.connections().readTimeout().toMillis()));
        }
        // TCP and TLS connections are taken through a guard: strangers' closed at once, the rest capped and closed
        // when idle (each holds two stack threads).
        connections = new ConnectionGuard(settings.connections(),
                source -> routing.current().table().mayConnect(source));
        GuardedNetworkLayer.register(stackName(settings), connections, tls);
        properties.setProperty("gov.nist.javax.sip.NETWORK_LAYER", GuardedNetworkLayer.class.getName());
        stack = factory.createSipStack(properties);
        SipProvider sipProvider = null;
        for (SipTransport transport : settings.transports()) {
            int port = transport == SipTransport.tls ? settings.tls().port() : settings.port();
            ListeningPoint point = stack.createListeningPoint(settings.bindAddress(), port, transport.name());
            if (sipProvider == null) {
                sipProvider = stack.createSipProvider(point);
            } else {
                sipProvider.addListeningPoint(point);
            }
        }
        provider = sipProvider;
        messages = new SipMessages(factory, settings.advertisedAddress(), settings.port(),
                settings.tls() == null ? settings.port() : settings.tls().port(), settings.peers().get().selfId());
        calls = new CallRegistry();
        router = new DialogRouter(settings.peers(), callId -> calls.get(callId) != null,
                () -> routing.current().loaded().config().gateway().getSpec().livekit().apiSecret(), stats);
        this.routing = routing;
        this.stats = stats;
        this.answerUnknownSources = settings.answerUnknownSources();
        admission = new Admission(calls::size, settings.maxActiveCalls(), settings.invitesPerSecondPerSource(),
                Math.max(1, settings.invitesPerSecondPerSource() * 2), settings.invitesPerSecondTotal(),
                Clock.systemUTC());
        // A call's set-up waits on LiveKit (room, join, track, ICE) for up to seconds when LiveKit or the CPU is busy;
        // at 10 new calls a second that is dozens at once, and a small pool would queue them into ringing timeouts.
        // Idle threads leave after 10 s, so a quiet gateway does not keep 64 of them. Only room legs use it.
        ThreadPoolExecutor roomIo = new ThreadPoolExecutor(ROOM_THREADS, ROOM_THREADS, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("livekit-api"));
        roomIo.allowCoreThreadTimeOut(true);
        liveKitCalls = roomIo;
        // Call loops never block, so a few threads carry every call's events.
        ThreadPoolExecutor events = new ThreadPoolExecutor(EVENT_THREADS, EVENT_THREADS, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("call-events"));
        events.allowCoreThreadTimeOut(true);
        callEvents = events;
        timers = Executors.newScheduledThreadPool(1, daemon("call-timers"));
        mediaClock = Executors.newScheduledThreadPool(MEDIA_CLOCK_THREADS, daemon("media-clock"));
        CallScheduler scheduler = new ExecutorCallScheduler(timers);
        invites = new InviteHandler(provider, messages, routing, admission,
                new DigestAuthenticator(Clock.systemUTC(), settings.nonceLifetime(),
                        routing.current().loaded().config().gateway().getSpec().livekit().apiSecret()),
                new RejectionCache<>(Clock.systemUTC(), Duration.ofSeconds(32), 100_000), stats,
                new RtpPorts(java.net.InetAddress.getByName(settings.bindAddress()), settings.rtpMin(), settings.rtpMax()),
                scheduler, settings.advertisedAddress(), settings.answerUnknownSources());
        services = new Call.Services(calls, stats, scheduler, callEvents,
                new LiveKitRoomLegs(rooms, liveKitCalls, timers,
                        routing.current().loaded().config().gateway().getSpec().livekit().url()),
                new FrameClock(mediaClock, MEDIA_CLOCK_THREADS), settings.bridgeAudio(),
                settings.roomCodec(), settings.mediaTimeout(), settings.advertisedAddress(),
                (trunk, request) -> routing.current().table().dispatch(trunk, request),
                new PinAttempts(PinAttempts.Limits.DEFAULT, scheduler::nanoTime));
        stats.malformedMessages(MalformedMessageFilter::dropped);
        stats.connections(connections);
        // Once every field admits() reads is set; until then the filter drops everything.
        StrangerFilter.register(stackName(settings), new StrangerFilter.Gate() {
            @Override
            public boolean admits(SIPRequest request, java.net.InetAddress source) {
                return SipServer.this.admits(request, source);
            }

            @Override
            public DialogRouter router() {
                return router;
            }
        });
        provider.addSipListener(this);
        LOG.info("SIP listening on {}:{} ({}{}), advertising {}, RTP ports {}-{}", settings.bindAddress(),
                settings.port(), settings.transports(), settings.transports().contains(SipTransport.tls)
                        ? ", tls on " + settings.tls().port() : "", settings.advertisedAddress(), settings.rtpMin(),
                settings.rtpMax());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public CallRegistry calls() {
        return calls;
    }

    public Admission admission() {
        return admission;
    }

    /**
     * Every request is handed to its call's loop, found by Call-ID; a new INVITE registers its call first, so a CANCEL
     * that overtakes the INVITE's handling still finds the call and is handled after it. Requests outside any call
     * (OPTIONS, unknown methods) are answered here.
     */
    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String callId = callId(request);
        try {
            switch (request.getMethod()) {
                case Request.INVITE -> {
                    if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null) {
                        ServerTransaction existing = event.getServerTransaction();
                        calls.open(callId, id -> new Call(id, services))
                                .invite(() -> invites.handle(request, existing),
                                        () -> invites.refuseMerged(request, existing));
                    } else {
                        inCall(event, (call, reply) -> call.reoffer(body(request), reply));
                    }
                }
                case Request.ACK -> {
                    // Non-2xx ACKs are absorbed by the transaction layer; a 2xx ACK confirms the call's dialog.
                    Call call = calls.get(callId);
                    if (call != null) {
                        call.ack(event.getDialog());
                    }
                }
                case Request.BYE -> inCall(event, Call::bye);
                case Request.CANCEL -> inCall(event, Call::cancel);
                case Request.OPTIONS -> options(event);
                case Request.INFO -> info(event);
                case Request.NOTIFY -> transferProgress(event);
                case Request.UPDATE -> inCall(event, (call, reply) -> {
                    String sdp = body(request);
                    if (sdp.isEmpty()) {
                        call.refresh(reply);
                    } else {
                        call.reoffer(sdp, reply);
                    }
                });
                default -> {
                    Response response = messages.response(Response.METHOD_NOT_ALLOWED, request, messages.newTag());
                    messages.allow(response);
                    transaction(event).sendResponse(response);
                }
            }
        } catch (Exception e) {
            LOG.warn("failed to handle {} {}: {}", request.getMethod(), callId, e.toString(), e);
            answer(event, Response.SERVER_INTERNAL_ERROR);
        }
    }

    /**
     * Whether a request may be answered at all ({@link StrangerFilter} drops the others before the stack sees them):
     * one from a source no SipTrunk admits gets no answer (unless answerUnknownSources), whatever its method, so a
     * scan learns nothing from the gateway; a new INVITE's refusal is counted and logged as unknown_source. A request
     * inside a call the gateway holds comes from that call.
     */
    private boolean admits(SIPRequest request, java.net.InetAddress source) {
        String method = request.getMethod();
        if (answerUnknownSources || calls.get(callId(request)) != null) {
            return true;
        }
        javax.sip.header.FromHeader from = (javax.sip.header.FromHeader) request.getHeader(
                javax.sip.header.FromHeader.NAME);
        String fromHost = from != null && from.getAddress().getURI() instanceof javax.sip.address.SipURI uri
                ? uri.getHost() : "";
        if (routing.current().table().knowsSource(source, fromHost)) {
            return true;
        }
        if (method.equals(Request.INVITE) && ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null) {
            // Dropped here, before the stack makes a transaction or the gateway a call of it: a flood from strangers
            // costs a parse and a lookup each.
            invites.dropFromUnknownSource(request, source);
        } else {
            stats.unanswered(method);
        }
        return false;
    }

    private ServerTransaction transaction(RequestEvent event) throws Exception {
        ServerTransaction transaction = event.getServerTransaction();
        return transaction != null ? transaction : provider.getNewServerTransaction(event.getRequest());
    }

    /** Answers {@code event}'s request with a bare status; a failure to send is only logged. */
    private void answer(RequestEvent event, int status) {
        try {
            transaction(event).sendResponse(messages.response(status, event.getRequest(), null));
        } catch (Exception e) {
            LOG.debug("could not answer {} to {} {}: {}", status, event.getRequest().getMethod(),
                    callId(event.getRequest()), e.toString());
        }
    }

    private static String callId(Request request) {
        CallIdHeader header = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        return header == null ? "(no Call-ID)" : header.getCallId();
    }

    private static String body(Request request) {
        byte[] raw = request.getRawContent();
        return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
    }

    /** A request inside the dialog of a call this gateway holds. */
    @FunctionalInterface
    private interface InCall {
        void handle(Call call, Reply reply);
    }

    /**
     * Hands the request to its call with the one {@link Reply} it gets; 481 when the gateway holds no such call.
     * The server transaction is made here, before the call's loop sees the request, so a retransmission arriving
     * meanwhile is absorbed by the stack instead of reaching the call as a second request (a digit twice).
     */
    private void inCall(RequestEvent event, InCall handler) throws Exception {
        Call call = calls.get(callId(event.getRequest()));
        if (call == null) {
            answer(event, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            return;
        }
        ServerTransaction transaction;
        try {
            transaction = transaction(event);
        } catch (javax.sip.TransactionAlreadyExistsException retransmission) {
            LOG.debug("retransmission of {} {} absorbed", event.getRequest().getMethod(), callId(event.getRequest()));
            return;
        }
        handler.handle(call, reply(event.getRequest(), transaction, call.sessionTimer()));
    }

    /**
     * The one answer of an in-call request; a 2xx to a session refresh (re-INVITE, UPDATE) carries the call's
     * Session-Expires, without which the caller would take the session timer as off (RFC 4028).
     */
    private Reply reply(Request request, ServerTransaction transaction, Optional<SessionTimer> sessionTimer) {
        boolean refresh = request.getMethod().equals(Request.INVITE) || request.getMethod().equals(Request.UPDATE);
        return new Reply() {
            @Override
            public void status(int code) {
                try {
                    Response response = messages.response(code, request, null);
                    if (refresh && code / 100 == 2 && sessionTimer.isPresent()) {
                        messages.withSessionTimer(response, sessionTimer.get());
                    }
                    transaction.sendResponse(response);
                } catch (Exception e) {
                    LOG.debug("could not answer {} to {} {}: {}", code, request.getMethod(), callId(request),
                            e.toString());
                }
            }

            @Override
            public void sdp(String answer) {
                try {
                    Response ok = messages.response(Response.OK, request, null);
                    ok.setHeader(messages.contact(InviteHandler.transport(request)));
                    messages.withSdp(ok, answer);
                    if (refresh && sessionTimer.isPresent()) {
                        messages.withSessionTimer(ok, sessionTimer.get());
                    }
                    transaction.sendResponse(ok);
                } catch (Exception e) {
                    LOG.warn("could not answer {} {} with SDP: {}", request.getMethod(), callId(request), e.toString());
                }
            }
        };
    }

    private void options(RequestEvent event) throws Exception {
        Response response = messages.response(Response.OK, event.getRequest(), messages.newTag());
        messages.allow(response);
        response.setHeader(messages.headers().createAcceptHeader("application", "sdp"));
        transaction(event).sendResponse(response);
    }

    /** DTMF as SIP INFO (application/dtmf-relay or application/dtmf) is accepted; other INFO bodies are not. */
    private void info(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String contentType = type == null ? "" : (type.getContentType() + "/" + type.getContentSubType()).toLowerCase(Locale.ROOT);
        if (!contentType.equals("application/dtmf-relay") && !contentType.equals("application/dtmf")) {
            Response response = messages.response(Response.UNSUPPORTED_MEDIA_TYPE, request, null);
            response.setHeader(messages.headers().createAcceptHeader("application", "dtmf-relay"));
            transaction(event).sendResponse(response);
            return;
        }
        String body = body(request);
        Optional<Character> digit = InfoDigits.parse(contentType, body);
        if (digit.isEmpty()) {
            CALLS.info("event=dtmf_unreadable call={} via=info body=\"{}\"", callId(request),
                    body.trim().replace("\r\n", " "));
            answer(event, Response.BAD_REQUEST);
            return;
        }
        inCall(event, (call, reply) -> call.infoDigit(digit.get(), reply));
    }

    /**
     * A NOTIFY of a transfer's progress (Event: refer, a message/sipfrag body, RFC 3515); the gateway subscribes to
     * nothing else.
     */
    private void transferProgress(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        javax.sip.header.EventHeader kind = (javax.sip.header.EventHeader) request.getHeader(
                javax.sip.header.EventHeader.NAME);
        if (kind == null || !kind.getEventType().equalsIgnoreCase("refer")) {
            answer(event, Response.BAD_EVENT);
            return;
        }
        Optional<CallTransfer.Progress> progress = CallTransfer.Progress.of(body(request));
        if (progress.isEmpty()) {
            CALLS.info("event=transfer_notify_unreadable call={} body=\"{}\"", callId(request),
                    body(request).lines().findFirst().orElse(""));
            answer(event, Response.BAD_REQUEST);
            return;
        }
        java.util.OptionalLong referCseq;
        try {
            referCseq = kind.getEventId() == null ? java.util.OptionalLong.empty()
                    : java.util.OptionalLong.of(Long.parseLong(kind.getEventId()));
        } catch (NumberFormatException e) {
            answer(event, Response.BAD_REQUEST);
            return;
        }
        inCall(event, (call, reply) -> call.transferNotified(event.getDialog(), referCseq, progress.get(), reply));
    }

    /** Draining: new INVITEs get 503; active calls carry on. */
    public void startDraining() {
        admission.startDraining();
    }

    /** Responses to the gateway's BYEs and UPDATEs need nothing; a REFER's tells its call how the transfer goes. */
    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        LOG.debug("response {} to our request", response.getStatusCode());
        if (response.getStatusCode() >= 200) {
            referAnswered(response, new CallTransfer.Progress(response.getStatusCode(),
                    Optional.ofNullable(response.getReasonPhrase()).orElse("")));
        }
    }

    /** A final answer to a REFER of ours ({@code message}: its response, or the REFER that timed out) to its call. */
    private void referAnswered(javax.sip.message.Message message, CallTransfer.Progress answer) {
        javax.sip.header.CSeqHeader cseq = (javax.sip.header.CSeqHeader) message.getHeader(
                javax.sip.header.CSeqHeader.NAME);
        CallIdHeader id = (CallIdHeader) message.getHeader(CallIdHeader.NAME);
        Call call = cseq != null && id != null && cseq.getMethod().equals(Request.REFER) ? calls.get(id.getCallId())
                : null;
        if (call != null) {
            call.referAnswered(cseq.getSeqNumber(), answer);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        LOG.debug("transaction timeout ({})", event.getTimeout());
        javax.sip.ClientTransaction client = event.getClientTransaction();
        if (client != null) {
            referAnswered(client.getRequest(),
                    new CallTransfer.Progress(Response.REQUEST_TIMEOUT, "no answer to the REFER"));
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.warn("SIP transport error towards {}:{} over {}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // Calls are tracked by Call-ID, not by transaction.
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        Call call = calls.get(event.getDialog().getCallId().getCallId());
        if (call != null) {
            call.dialogTerminated(event.getDialog());
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        mediaClock.shutdownNow();
        callEvents.shutdownNow();
        // Room legs still closing finish: a participant left in a room would stay until LiveKit times it out.
        liveKitCalls.shutdown();
        try {
            if (!liveKitCalls.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("room legs still closing after 10 s; stopping anyway");
                liveKitCalls.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            liveKitCalls.shutdownNow();
        }
        stack.stop();
        StrangerFilter.unregister(stack.getStackName());
        GuardedNetworkLayer.unregister(stack.getStackName());
    }

    private static String stackName(Settings settings) {
        return "dialtone-" + settings.port();
    }
}
