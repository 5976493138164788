package io.dialtone.gateway.livekit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.config.SpecValidator;
import io.dialtone.gateway.call.CallControl;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import livekit.LivekitModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's participant answers LiveKit RPC (the data packets {@code RpcRequest}, {@code RpcAck} and
 * {@code RpcResponse}, as every LiveKit SDK speaks them) for three methods, turned into {@link CallControl} requests
 * for the call: {@value #TRANSFER}, {@value #HANG_UP} and {@value #SEND_DTMF}. Each request is acknowledged at once,
 * as the SDKs expect, then answered once by the call. Only participants of kind {@code agent} may use them: a
 * transfer places a call the trunk's owner pays for, and rooms often hold people who must not. A call takes at most
 * {@value #REQUESTS_PER_WINDOW} requests in {@value #WINDOW_SECONDS} s and {@value #MAX_IN_FLIGHT} at a time, so a
 * participant that floods it costs a refusal each and never a LiveKit round trip or a thread.
 */
final class CallControlRpc {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");
    static final String TRANSFER = "dialtone.transfer";
    static final String HANG_UP = "dialtone.hangup";
    static final String SEND_DTMF = "dialtone.dtmf";
    /** LiveKit RPC's own limit on a request's and a response's payload. */
    static final int MAX_PAYLOAD_BYTES = 15 * 1024;
    /** RpcError codes the SDKs define. */
    static final int APPLICATION_ERROR = 1500;
    static final int UNSUPPORTED_METHOD = 1400;
    static final int UNSUPPORTED_VERSION = 1404;
    static final int REQUEST_PAYLOAD_TOO_LARGE = 1402;
    static final int MAX_DIGITS = 32;
    private static final Pattern DIGITS = Pattern.compile("[0-9*#A-Da-d]{1," + MAX_DIGITS + "}");
    private static final Pattern PHONE_NUMBER = Pattern.compile("\\+?[0-9]{1,32}");
    private static final Duration SHORTEST_WAIT = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int REQUESTS_PER_WINDOW = 10;
    static final int WINDOW_SECONDS = 10;
    static final int MAX_IN_FLIGHT = 4;
    /**
     * A room's agents are few; the kinds of more identities than this are asked of LiveKit again, and every kind
     * after a window.
     */
    private static final int MAX_KNOWN_KINDS = 16;

    private final String callId;
    private final Consumer<LivekitModels.DataPacket> send;
    private final Function<String, Optional<LivekitModels.ParticipantInfo.Kind>> kindOf;
    private final Consumer<CallControl.Request> call;
    private final java.util.concurrent.Executor lookups;
    private final java.util.function.LongSupplier nanoClock;
    private final Map<String, LivekitModels.ParticipantInfo.Kind> kinds = new java.util.concurrent.ConcurrentHashMap<>();
    private final io.dialtone.gateway.log.LogBudget refusedLog = io.dialtone.gateway.log.LogBudget.perSecond(1);
    /** Requests in the current window and unanswered; guarded by this. */
    private long windowStarted;
    private int inWindow;
    private int inFlight;

    /**
     * @param send      sends a data packet on the caller's participant's reliable channel
     * @param kindOf    the kind of a participant in the room, by identity, as LiveKit describes it (a round trip)
     * @param call      the call, which answers each request it is given exactly once
     * @param lookups   where the round trip to LiveKit runs, off the media sockets' thread
     * @param nanoClock the time the request limits are counted in (System::nanoTime)
     */
    CallControlRpc(String callId, Consumer<LivekitModels.DataPacket> send,
                   Function<String, Optional<LivekitModels.ParticipantInfo.Kind>> kindOf,
                   Consumer<CallControl.Request> call, java.util.concurrent.Executor lookups,
                   java.util.function.LongSupplier nanoClock) {
        this.callId = callId;
        this.send = send;
        this.kindOf = kindOf;
        this.call = call;
        this.lookups = lookups;
        this.nanoClock = nanoClock;
        this.windowStarted = nanoClock.getAsLong();
    }

    /**
     * A request that came from {@code from} (the sender's identity, as LiveKit stamped it on the packet), on the
     * media sockets' thread: what can be decided without LiveKit is decided here, the rest on {@code lookups}.
     */
    void request(String from, LivekitModels.RpcRequest request) {
        send.accept(packet(from).setRpcAck(LivekitModels.RpcAck.newBuilder().setRequestId(request.getId())).build());
        Answer answer = new Answer(from, request);
        if (request.getVersion() != 1) {
            answer.error(UNSUPPORTED_VERSION, "this gateway speaks RPC version 1, not " + request.getVersion());
            return;
        }
        if (!request.getMethod().equals(TRANSFER) && !request.getMethod().equals(HANG_UP)
                && !request.getMethod().equals(SEND_DTMF)) {
            answer.error(UNSUPPORTED_METHOD, "the SIP participant answers " + TRANSFER + ", " + HANG_UP + " and "
                    + SEND_DTMF + ", not " + request.getMethod());
            return;
        }
        if (request.getPayloadBytes().size() > MAX_PAYLOAD_BYTES) {
            answer.error(REQUEST_PAYLOAD_TOO_LARGE, "the payload is larger than LiveKit RPC's " + MAX_PAYLOAD_BYTES
                    + " bytes");
            return;
        }
        if (admitted()) {
            answer.counted();
        } else {
            answer.failed("too many requests: a call takes " + REQUESTS_PER_WINDOW + " in " + WINDOW_SECONDS
                    + " s and " + MAX_IN_FLIGHT + " at a time");
            return;
        }
        lookups.execute(() -> fromAgent(from, request, answer));
    }

    private void fromAgent(String from, LivekitModels.RpcRequest request, Answer answer) {
        Optional<LivekitModels.ParticipantInfo.Kind> kind = Optional.ofNullable(kinds.get(from))
                .or(() -> kindOf.apply(from));
        kind.filter(known -> kinds.size() < MAX_KNOWN_KINDS).ifPresent(known -> kinds.put(from, known));
        if (kind.isEmpty() || kind.get() != LivekitModels.ParticipantInfo.Kind.AGENT) {
            refusedLog.take().ifPresent(line -> LOG.warn("event=call_control_refused call={} from={} method={} "
                            + "kind={} why=\"only agents may control the call\"{}", callId, from, request.getMethod(),
                    kind.map(Enum::name).orElse("unknown"), line.suppressed() > 0
                            ? " suppressed=" + line.suppressed() : ""));
            answer.failed("only participants of kind agent may control a phone call; " + from + " is "
                    + kind.map(k -> k.name().toLowerCase(java.util.Locale.ROOT))
                    .orElse("not a participant LiveKit knows in this room"));
            return;
        }
        CallControl what;
        try {
            what = parse(request);
        } catch (IllegalArgumentException e) {
            answer.failed(e.getMessage());
            return;
        }
        LOG.info("event=call_control call={} from={} method={}", callId, from, request.getMethod());
        call.accept(new CallControl.Request(from, what, answer));
    }

    /** Whether one more request fits the call's window and in-flight limits; it counts as in flight if so. */
    private synchronized boolean admitted() {
        long now = nanoClock.getAsLong();
        if (now - windowStarted >= java.util.concurrent.TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) {
            windowStarted = now;
            inWindow = 0;
            // A kind is trusted for one window at most: an identity may leave and join again as something else.
            kinds.clear();
        }
        if (inWindow >= REQUESTS_PER_WINDOW || inFlight >= MAX_IN_FLIGHT) {
            return false;
        }
        inWindow++;
        inFlight++;
        return true;
    }

    private synchronized void answered() {
        inFlight--;
    }

    /** The request as a {@link CallControl}; a payload that does not say what it must is refused in words. */
    static CallControl parse(LivekitModels.RpcRequest request) {
        if (request.getMethod().equals(HANG_UP)) {
            return new CallControl.HangUp();
        }
        JsonNode payload = payload(request);
        if (request.getMethod().equals(SEND_DTMF)) {
            String digits = text(payload, "digits");
            if (!DIGITS.matcher(digits).matches()) {
                throw new IllegalArgumentException("digits must be 1 to " + MAX_DIGITS
                        + " of 0-9, *, # and A-D, not \"" + digits + "\"");
            }
            return new CallControl.SendDigits(digits.toUpperCase(java.util.Locale.ROOT));
        }
        String to = text(payload, "transferTo");
        String target = to.startsWith("sip:") || to.startsWith("sips:") || to.startsWith("tel:") ? to
                : PHONE_NUMBER.matcher(to).matches() ? "tel:" + to : "";
        if (target.isEmpty()) {
            throw new IllegalArgumentException("transferTo must be a sip:, sips: or tel: URI or a phone number, not \""
                    + to + "\"");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode given = payload.path("headers");
        if (!given.isMissingNode() && !given.isObject()) {
            throw new IllegalArgumentException("headers must be an object of X- header names to values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = given.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> header = fields.next();
            if (!SpecValidator.isXHeaderName(header.getKey())) {
                throw new IllegalArgumentException("headers: '" + header.getKey() + "' " + SpecRules.X_HEADER_MESSAGE);
            }
            if (!header.getValue().isTextual() || !SpecValidator.isHeaderValue(header.getValue().asText())) {
                throw new IllegalArgumentException("headers: the value of " + header.getKey()
                        + " must be a string on one line");
            }
            headers.put(header.getKey(), header.getValue().asText());
        }
        Duration within = Duration.ofMillis(request.getResponseTimeoutMs());
        return new CallControl.Transfer(target, headers, within.compareTo(SHORTEST_WAIT) < 0 ? SHORTEST_WAIT : within);
    }

    private static JsonNode payload(LivekitModels.RpcRequest request) {
        try {
            JsonNode payload = JSON.readTree(request.getPayload());
            if (payload == null || !payload.isObject()) {
                throw new IllegalArgumentException("the payload must be a JSON object");
            }
            return payload;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the payload is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode payload, String field) {
        JsonNode value = payload.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("the payload needs \"" + field + "\", a string");
        }
        return value.asText();
    }

    private static LivekitModels.DataPacket.Builder packet(String to) {
        return LivekitModels.DataPacket.newBuilder().setKind(LivekitModels.DataPacket.Kind.RELIABLE)
                .addDestinationIdentities(to);
    }

    /** Sends the one RpcResponse of a request; later answers are ignored. */
    private final class Answer implements CallControl.Answer {
        private final String to;
        private final LivekitModels.RpcRequest request;
        private final AtomicBoolean sent = new AtomicBoolean();
        private volatile boolean counted;

        Answer(String to, LivekitModels.RpcRequest request) {
            this.to = to;
            this.request = request;
        }

        /** This request counts against the call's in-flight limit until it is answered. */
        void counted() {
            counted = true;
        }

        private void release() {
            if (counted) {
                answered();
            }
        }

        @Override
        public void done(String result) {
            if (sent.compareAndSet(false, true)) {
                release();
                LOG.info("event=call_control_done call={} from={} method={} result={}", callId, to,
                        request.getMethod(), result);
                send.accept(packet(to).setRpcResponse(LivekitModels.RpcResponse.newBuilder()
                        .setRequestId(request.getId()).setPayload(result)).build());
            }
        }

        @Override
        public void failed(String why) {
            error(APPLICATION_ERROR, why);
        }

        void error(int code, String why) {
            if (sent.compareAndSet(false, true)) {
                release();
                LOG.info("event=call_control_failed call={} from={} method={} code={} why=\"{}\"", callId, to,
                        request.getMethod(), code, why);
                send.accept(packet(to).setRpcResponse(LivekitModels.RpcResponse.newBuilder()
                        .setRequestId(request.getId())
                        .setError(LivekitModels.RpcError.newBuilder().setCode(code).setMessage(why))).build());
            }
        }
    }
}
