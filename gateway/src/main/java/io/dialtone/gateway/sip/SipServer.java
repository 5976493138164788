package io.dialtone.gateway.sip;

import io.dialtone.api.v1alpha1.RoomCodec;
import io.dialtone.api.v1alpha1.SipTransport;
import io.dialtone.gateway.config.RoutingState;
import io.dialtone.gateway.livekit.RoomProvisioner;
import io.dialtone.gateway.stats.CallStats;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
    private static final int SETUP_THREADS = 64;

    /** How the server is set up beyond the routing configuration. */
    public record Settings(String bindAddress, int port, List<SipTransport> transports, String advertisedAddress,
                           int rtpMin, int rtpMax, Integer maxActiveCalls, double invitesPerSecondPerSource,
                           Duration mediaTimeout, Duration nonceLifetime, boolean answerUnknownSources, Tls tls,
                           boolean bridgeAudio, int recycleAfterCalls, RoomCodec roomCodec) {
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
    private final ScheduledExecutorService timers;
    private final String advertisedAddress;

    public SipServer(Settings settings, RoutingState routing, CallStats stats, RoomProvisioner rooms) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", "dialtone-" + settings.port());
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        properties.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
        if (settings.transports().contains(SipTransport.tls)) {
            if (settings.tls() == null || settings.tls().certificateFile() == null
                    || settings.tls().privateKeyFile() == null) {
                throw new IllegalArgumentException("the tls transport needs spec.sip.tls.certificateFile and "
                        + "privateKeyFile (PEM)");
            }
            TlsKeyStore keys = TlsKeyStore.fromPem(settings.tls().certificateFile(), settings.tls().privateKeyFile());
            // Read by JAIN-SIP's DefaultSecurityManagerProvider from the stack's own properties, not the JVM's.
            for (String prefix : new String[] {"javax.net.ssl.keyStore", "javax.net.ssl.trustStore"}) {
                properties.setProperty(prefix, keys.file().toString());
                properties.setProperty(prefix + "Password", keys.password());
                properties.setProperty(prefix + "Type", "PKCS12");
            }
            properties.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        }
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
        this.advertisedAddress = settings.advertisedAddress();
        messages = new SipMessages(factory, settings.advertisedAddress(), settings.port(),
                settings.tls() == null ? settings.port() : settings.tls().port());
        calls = new CallRegistry();
        calls.attach(provider, messages);
        admission = new Admission(calls::size, settings.maxActiveCalls(), settings.invitesPerSecondPerSource(),
                Math.max(1, settings.invitesPerSecondPerSource() * 2), Clock.systemUTC());
        // A call's set-up waits on LiveKit (room, join, track, ICE) for up to seconds when LiveKit or the CPU is busy;
        // at 10 new calls a second that is dozens at once, and a small pool would queue them into ringing timeouts.
        // Idle threads leave after 10 s, so a quiet gateway does not keep 64 of them.
        ThreadPoolExecutor setup = new ThreadPoolExecutor(SETUP_THREADS, SETUP_THREADS, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("livekit-api"));
        setup.allowCoreThreadTimeOut(true);
        liveKitCalls = setup;
        timers = Executors.newScheduledThreadPool(1, daemon("call-timers"));
        invites = new InviteHandler(provider, messages, routing, admission,
                new DigestAuthenticator(Clock.systemUTC(), settings.nonceLifetime()),
                new RejectionCache<>(Clock.systemUTC(), Duration.ofSeconds(32), 100_000), stats, calls,
                new RtpPorts(java.net.InetAddress.getByName(settings.bindAddress()), settings.rtpMin(), settings.rtpMax()),
                rooms, liveKitCalls, timers, settings.advertisedAddress(), settings.advertisedAddress(),
                settings.answerUnknownSources(),
                Executors.newScheduledThreadPool(2, daemon("media-clock")), settings.bridgeAudio(),
                settings.roomCodec());
        long mediaTimeout = settings.mediaTimeout().toMillis();
        timers.scheduleWithFixedDelay(() -> guard("media check", () -> calls.checkMedia(mediaTimeout)),
                500, 500, TimeUnit.MILLISECONDS);
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

    private static void guard(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", what, e.getMessage(), e);
        }
    }

    public CallRegistry calls() {
        return calls;
    }

    public Admission admission() {
        return admission;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        try {
            switch (request.getMethod()) {
                case Request.INVITE -> {
                    if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null) {
                        invites.handle(request, event.getServerTransaction());
                    } else {
                        withCall(event, this::renegotiate);
                    }
                }
                case Request.ACK -> {
                    // 2xx ACKs confirm the dialog; non-2xx ACKs are absorbed by the transaction layer.
                }
                case Request.BYE -> withCall(event, this::bye);
                case Request.CANCEL -> cancel(event);
                case Request.OPTIONS -> options(event);
                case Request.INFO -> withCall(event, this::info);
                case Request.UPDATE -> withCall(event, this::update);
                default -> {
                    Response response = messages.response(Response.METHOD_NOT_ALLOWED, request, SipMessages.newTag());
                    messages.allow(response);
                    transaction(event).sendResponse(response);
                }
            }
        } catch (InviteHandler.RetransmissionException retransmission) {
            LOG.debug("retransmission of {} absorbed", request.getMethod());
        } catch (Exception e) {
            LOG.warn("failed to handle {} {}: {}", request.getMethod(), callId(request), e.toString(), e);
            try {
                transaction(event).sendResponse(messages.response(Response.SERVER_INTERNAL_ERROR, request,
                        SipMessages.newTag()));
            } catch (Exception ignored) {
                LOG.debug("could not answer 500 to {}", callId(request));
            }
        }
    }

    private ServerTransaction transaction(RequestEvent event) throws Exception {
        ServerTransaction transaction = event.getServerTransaction();
        return transaction != null ? transaction : provider.getNewServerTransaction(event.getRequest());
    }

    private static String callId(Request request) {
        CallIdHeader header = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        return header == null ? "(no Call-ID)" : header.getCallId();
    }

    /** Handles a request inside the dialog of a call this gateway holds. */
    @FunctionalInterface
    private interface InDialog {
        void handle(RequestEvent event, Call call) throws Exception;
    }

    /** Finds the request's call for {@code handler}, or answers 481 when the gateway holds no such call. */
    private void withCall(RequestEvent event, InDialog handler) throws Exception {
        Request request = event.getRequest();
        Call call = calls.get(callId(request));
        if (call == null) {
            transaction(event).sendResponse(messages.response(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request, null));
            return;
        }
        handler.handle(event, call);
    }

    private void bye(RequestEvent event, Call call) throws Exception {
        Request request = event.getRequest();
        transaction(event).sendResponse(messages.response(Response.OK, request, null));
        CALLS.info("event=hangup call={} trunk={} room={} by=caller durationS={}", call.sipCallId(), call.trunkName(),
                call.room(), Duration.between(call.started(), java.time.Instant.now()).toSeconds());
        calls.release(call);
    }

    private void cancel(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        Call call = calls.get(callId(request));
        transaction(event).sendResponse(messages.response(Response.OK, request, null));
        if (call != null && call.state() == Call.State.SETTING_UP) {
            calls.release(call);
            Request invite = call.invite().getRequest();
            call.invite().sendResponse(messages.response(Response.REQUEST_TERMINATED, invite, SipMessages.newTag()));
            CALLS.info("event=cancelled call={} trunk={} room={}", call.sipCallId(), call.trunkName(), call.room());
        }
    }

    private void options(RequestEvent event) throws Exception {
        Response response = messages.response(Response.OK, event.getRequest(), SipMessages.newTag());
        messages.allow(response);
        response.setHeader(messages.headers().createAcceptHeader("application", "sdp"));
        transaction(event).sendResponse(response);
    }

    /** UPDATE without SDP is a session refresh: 200 and nothing else changes. */
    private void update(RequestEvent event, Call call) throws Exception {
        Request request = event.getRequest();
        if (request.getRawContent() == null || request.getRawContent().length == 0) {
            transaction(event).sendResponse(messages.response(Response.OK, request, null));
        } else {
            renegotiate(event, call);
        }
    }

    /** Hold, resume and session refresh: answer with the same port and codec, the direction mirrored. */
    private void renegotiate(RequestEvent event, Call call) throws Exception {
        Request request = event.getRequest();
        byte[] body = request.getRawContent();
        SdpNegotiator.Negotiated media = call.media();
        if (body != null && body.length > 0) {
            try {
                media = new SdpNegotiator(List.of(call.media().codec())).negotiate(new String(body, StandardCharsets.UTF_8));
            } catch (SdpNegotiator.NegotiationException e) {
                transaction(event).sendResponse(messages.response(e.noCommonCodec() ? Response.NOT_ACCEPTABLE_HERE
                        : Response.BAD_REQUEST, request, null));
                return;
            }
        }
        long version = call.nextSdpVersion(media);
        Response ok = messages.response(Response.OK, request, null);
        ok.setHeader(messages.contact(InviteHandler.transport(request)));
        messages.withSdp(ok, media.answer(advertisedAddress, call.rtpPort(), call.started().toEpochMilli(), version));
        transaction(event).sendResponse(ok);
        CALLS.info("event=renegotiated call={} direction={}", call.sipCallId(), media.offered().answer());
    }

    /** DTMF as SIP INFO (application/dtmf-relay or application/dtmf) is accepted; other INFO bodies are not. */
    private void info(RequestEvent event, Call call) throws Exception {
        Request request = event.getRequest();
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String contentType = type == null ? "" : (type.getContentType() + "/" + type.getContentSubType()).toLowerCase(Locale.ROOT);
        if (contentType.equals("application/dtmf-relay") || contentType.equals("application/dtmf")) {
            byte[] raw = request.getRawContent();
            String body = raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
            Character digit = InfoDigits.parse(contentType, body);
            // The digit is taken before the 200 goes out: a caller sends its next INFO on the 200, and that one may
            // be handled on another thread, so answering first could let the digits overtake each other.
            if (digit == null) {
                CALLS.info("event=dtmf_unreadable call={} via=info body=\"{}\"", call.sipCallId(),
                        body.trim().replace("\r\n", " "));
            } else {
                call.digit(digit, "info");
            }
            transaction(event).sendResponse(messages.response(digit == null ? Response.BAD_REQUEST : Response.OK,
                    request, null));
        } else {
            Response response = messages.response(Response.UNSUPPORTED_MEDIA_TYPE, request, null);
            response.setHeader(messages.headers().createAcceptHeader("application", "dtmf-relay"));
            transaction(event).sendResponse(response);
        }
    }

    /** Draining: new INVITEs get 503; active calls carry on. */
    public void startDraining() {
        admission.startDraining();
    }

    @Override
    public void processResponse(ResponseEvent event) {
        LOG.debug("response {} to our request", event.getResponse().getStatusCode());
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        LOG.debug("transaction timeout ({})", event.getTimeout());
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
        if (call != null && call.state() == Call.State.ANSWERED) {
            calls.release(call);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        liveKitCalls.shutdownNow();
        stack.stop();
    }
}
