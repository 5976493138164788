package io.dialtone.gateway.livekit;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's participant in the room, over LiveKit's client signalling protocol (WebSocket /rtc with
 * SignalRequest/SignalResponse protobufs): it joins with the SIP token, keeps the connection alive with pings,
 * and reports when LiveKit ends it (participant removed, room deleted, server gone) so the call can hang up.
 * Audio tracks ride on this session's peer connections, which the media bridge adds. A WebSocket that drops
 * without LiveKit ending the participant is resumed, as LiveKit's SDKs do: a new connection with
 * {@code reconnect=1} and the participant's sid, answered by a ReconnectResponse, while the peer connections (and
 * the call's audio) carry on; only when that fails {@value #RESUME_ATTEMPTS} times is the session ended.
 */
public final class ParticipantSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSession.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int RESUME_ATTEMPTS = 5;
    /** More than a resume ever needs (an answer and its candidates); beyond it requests are dropped, and said so. */
    private static final int MAX_HELD = 64;
    private static final long SEND_TIMEOUT_SECONDS = 5;
    /** How long LiveKit has to confirm a request it answers (an update of the participant's own attributes). */
    static final long CONFIRM_TIMEOUT_SECONDS = 10;
    /** The signalling protocol from which LiveKit answers an update of a participant's own attributes. */
    private static final int CONFIRMING_PROTOCOL = 15;

    private final String connectUri;
    private final Duration timeout;
    private final CompletableFuture<LivekitRtc.JoinResponse> joined;
    private final AtomicBoolean leaving;
    private final Listener listener;
    private final Consumer<String> ended;
    private final AtomicBoolean resuming = new AtomicBoolean();
    private final java.util.List<Runnable> resumedHandlers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    /**
     * Requests for the resumed connection, guarded by this: those whose write the drop interrupted, then those made
     * while it resumed, each in the order they were made.
     */
    private final java.util.List<LivekitRtc.SignalRequest> interrupted = new java.util.ArrayList<>();
    private final java.util.List<LivekitRtc.SignalRequest> held = new java.util.ArrayList<>();
    private volatile ScheduledFuture<?> pings;
    /** The writes queued so far, each after the one before; guarded by this. */
    private CompletableFuture<Void> sending = CompletableFuture.completedFuture(null);

    private ParticipantSession(String connectUri, Duration timeout, CompletableFuture<LivekitRtc.JoinResponse> joined,
                               AtomicBoolean leaving, Listener listener, Consumer<String> ended) {
        this.connectUri = connectUri;
        this.timeout = timeout;
        this.joined = joined;
        this.leaving = leaving;
        this.listener = listener;
        this.ended = ended;
    }

    /**
     * Joins and waits for LiveKit's JoinResponse.
     *
     * @param timers schedules the keep-alive pings, which are sent on {@code io}: a send may wait for the socket
     * @param ended  called once if LiveKit ends the session, with why (not called after {@link #close()})
     */
    public static ParticipantSession join(String livekitUrl, String token, Duration timeout,
                                          ScheduledExecutorService timers, java.util.concurrent.Executor io,
                                          Consumer<String> ended) throws Exception {
        String base = livekitUrl.replaceFirst("^http", "ws");
        String connectUri = base.replaceAll("/+$", "") + "/rtc?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&auto_subscribe=1&protocol=15&sdk=dialtone";
        CompletableFuture<LivekitRtc.JoinResponse> joined = new CompletableFuture<>();
        AtomicBoolean leaving = new AtomicBoolean();
        AtomicBoolean reported = new AtomicBoolean();
        Consumer<String> endOnce = why -> {
            if (!leaving.get() && reported.compareAndSet(false, true)) {
                ended.accept(why);
            }
        };
        Listener listener = new Listener(joined, endOnce);
        ParticipantSession session = new ParticipantSession(connectUri, timeout, joined, leaving, listener, endOnce);
        listener.dropped(session::resume);
        HTTP.newWebSocketBuilder().connectTimeout(timeout).buildAsync(URI.create(connectUri), listener)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LivekitRtc.JoinResponse join = joined.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        int interval = Math.max(1, join.getPingInterval() > 0 ? join.getPingInterval() : 10);
        session.pings = timers.scheduleAtFixedRate(() -> io.execute(session::ping), interval, interval,
                TimeUnit.SECONDS);
        return session;
    }

    public String participantSid() {
        return joined.join().getParticipant().getSid();
    }

    /** The caller's participant attributes as the room last set them (agents may change them during the call). */
    public Map<String, String> attributes() {
        return listener.attributes;
    }

    public LivekitRtc.JoinResponse joinResponse() {
        return joined.join();
    }

    /**
     * Adds a receiver of the media bridge's signals (offers, answers, candidates, track publications); each one
     * first gets, in order, those of them that arrived before any receiver was there.
     */
    public void onMediaSignal(Consumer<LivekitRtc.SignalResponse> handler) {
        listener.media(handler);
    }

    /**
     * Sets attributes of the caller's own participant, which LiveKit merges into those it has, over this session's
     * connection as LiveKit's SDKs do (the token grants {@code canUpdateOwnMetadata}): no RoomService request, with
     * its own HTTP connection and authentication, per call. Done once LiveKit confirms it.
     */
    public CompletableFuture<Void> updateAttributes(Map<String, String> attributes) {
        int id = requestIds.incrementAndGet();
        LivekitRtc.SignalRequest request = LivekitRtc.SignalRequest.newBuilder()
                .setUpdateMetadata(LivekitRtc.UpdateParticipantMetadata.newBuilder().setRequestId(id)
                        .putAllAttributes(attributes)).build();
        // A server older than the protocol that answers these requests gets it as its SDKs then sent it: unanswered.
        boolean answered = joined.join().getServerInfo().getProtocol() >= CONFIRMING_PROTOCOL;
        CompletableFuture<Void> confirmed;
        // Under the lock close() takes: a request is either queued before the leave, or refused here at once.
        synchronized (this) {
            if (leaving.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("the participant has left the room"));
            }
            confirmed = answered ? listener.expectConfirmation(id, request) : CompletableFuture.completedFuture(null);
            send(request);
        }
        return confirmed.orTimeout(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs after every resumed connection, e.g. to restart ICE on a peer connection. */
    public void onResumed(Runnable handler) {
        resumedHandlers.add(handler);
    }

    private void ping() {
        if (!resuming.get()) {
            send(LivekitRtc.SignalRequest.newBuilder().setPing(System.currentTimeMillis()).build());
        }
    }

    /** The WebSocket dropped while the participant is still in the room: resume it off the socket's thread. */
    private void resume(String why) {
        if (leaving.get() || !joined.isDone() || !resuming.compareAndSet(false, true)) {
            return;
        }
        String sid = participantSid();
        LOG.warn("event=livekit_dropped participant={} why=\"{}\" action=resume", sid, why);
        Thread resumer = new Thread(() -> {
            for (int attempt = 1; attempt <= RESUME_ATTEMPTS && !leaving.get(); attempt++) {
                try {
                    CompletableFuture<LivekitRtc.ReconnectResponse> reconnected = listener.expectReconnect();
                    // On the socket's thread, before the messages that follow the ReconnectResponse (LiveKit's ICE
                    // restart offer for the subscriber comes at once): their answers go out after what was held.
                    reconnected.thenRun(this::resumed);
                    HTTP.newWebSocketBuilder().connectTimeout(timeout)
                            .buildAsync(URI.create(connectUri + "&reconnect=1&sid=" + sid), listener)
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    reconnected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("event=livekit_resumed participant={} attempt={}", sid, attempt);
                    resumedHandlers.forEach(Runnable::run);
                    return;
                } catch (Exception e) {
                    LOG.info("event=livekit_resume_failed participant={} attempt={} error=\"{}\"", sid, attempt,
                            e.getCause() != null ? e.getCause().toString() : e.toString());
                    try {
                        Thread.sleep(500L * attempt);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            String lost = "the connection to LiveKit dropped (" + why + ") and could not be resumed";
            listener.failUnconfirmed(lost);
            ended.accept(lost);
        }, "livekit-resume");
        resumer.setDaemon(true);
        resumer.start();
    }

    /**
     * The resumed connection is there: what was held goes out first, in order. Requests still unconfirmed go out
     * again after them: the old connection may have taken one, or LiveKit's answer, down with it. Setting the same
     * attributes twice changes nothing.
     */
    private synchronized void resumed() {
        resuming.set(false);
        interrupted.forEach(this::enqueue);
        held.forEach(this::enqueue);
        listener.unconfirmedRequests().stream().filter(request -> !interrupted.contains(request)
                && !held.contains(request)).forEach(this::enqueue);
        interrupted.clear();
        held.clear();
    }

    /**
     * Queues one request: it is written after those queued before it, and the caller does not wait. One at a time,
     * since the JDK's WebSocket refuses a send while another is outstanding; without waiting, since requests come
     * from threads other calls share (the WebSocket client's thread answers LiveKit's offers, the room legs' pool
     * sends pings and offers), which must never stand still for one call's socket. While the connection resumes,
     * requests are held for the resumed one, as LiveKit's SDKs do: an answer or candidate lost then would leave a
     * peer connection without its media.
     */
    public synchronized void send(LivekitRtc.SignalRequest request) {
        // Checked under the lock close() takes, so nothing is queued behind the close of the connection.
        if (leaving.get()) {
            return;
        }
        if (!hold(held, request)) {
            enqueue(request);
        }
    }

    /** A request whose write fails because the connection dropped under it is held for the resumed one. */
    private void enqueue(LivekitRtc.SignalRequest request) {
        byte[] bytes = request.toByteArray();
        enqueue(request.getMessageCase().name(), socket -> socket.sendBinary(ByteBuffer.wrap(bytes), true),
                () -> hold(interrupted, request));
    }

    private synchronized boolean hold(java.util.List<LivekitRtc.SignalRequest> queue,
                                      LivekitRtc.SignalRequest request) {
        if (!resuming.get() || leaving.get()) {
            return false;
        }
        if (interrupted.size() + held.size() < MAX_HELD) {
            queue.add(request);
        } else {
            LOG.warn("event=livekit_request_dropped request={} why=\"{} requests already wait for the connection to"
                    + " LiveKit to resume\"", request.getMessageCase(), MAX_HELD);
        }
        return true;
    }

    /**
     * Chains {@code write} after the writes before it, on the connection in use when its turn comes; if it fails,
     * {@code failed} may take it over (and says so), else the failure is logged.
     */
    private synchronized void enqueue(String what, Function<WebSocket, CompletableFuture<WebSocket>> write,
                                      java.util.function.BooleanSupplier failed) {
        sending = sending.thenCompose(previous -> write.apply(listener.current())
                        .orTimeout(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .handle((socket, error) -> {
                    if (error != null && !failed.getAsBoolean()) {
                        LOG.warn("signal request {} not sent to LiveKit: {}", what, error.toString());
                    }
                    return null;
                });
    }

    /**
     * Leaves the room, so the participant disappears at once instead of after LiveKit's timeout, and waits (at most
     * a send timeout) until the leave and the close are written: a gateway about to exit must not beat them.
     */
    @Override
    public void close() {
        CompletableFuture<Void> written;
        synchronized (this) {
            if (!leaving.compareAndSet(false, true)) {
                return;
            }
            if (pings != null) {
                pings.cancel(false);
            }
            enqueue(LivekitRtc.SignalRequest.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                    .setReason(LivekitModels.DisconnectReason.CLIENT_INITIATED)).build());
            enqueue("CLOSE", socket -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "call ended"), () -> false);
            written = sending;
        }
        listener.failUnconfirmed("the participant left the room");
        try {
            written.get(SEND_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("leaving LiveKit: {}", e.toString());
        }
    }

    /** Package-private so its handling of LiveKit's answers is tested without a server. */
    static final class Listener implements WebSocket.Listener {
        private static final java.util.Set<LivekitRtc.SignalResponse.MessageCase> EARLY_KINDS = java.util.EnumSet.of(
                LivekitRtc.SignalResponse.MessageCase.OFFER, LivekitRtc.SignalResponse.MessageCase.ANSWER,
                LivekitRtc.SignalResponse.MessageCase.TRICKLE, LivekitRtc.SignalResponse.MessageCase.TRACK_PUBLISHED);
        private static final int MAX_EARLY = 256;
        private final CompletableFuture<LivekitRtc.JoinResponse> joined;
        private final Consumer<String> ended;
        private volatile Consumer<String> dropped = why -> { };
        private volatile WebSocket current;
        private volatile boolean left;
        private volatile Map<String, String> attributes = Map.of();
        private volatile CompletableFuture<LivekitRtc.ReconnectResponse> reconnect = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        private final java.util.List<LivekitRtc.SignalResponse> early = new java.util.ArrayList<>();
        private final java.util.List<Consumer<LivekitRtc.SignalResponse>> media = new java.util.ArrayList<>();
        /** Requests LiveKit has yet to confirm, by request id; each leaves when it is confirmed, refused or late. */
        private final Map<Integer, Unconfirmed> unconfirmed = new java.util.concurrent.ConcurrentHashMap<>();

        private record Unconfirmed(LivekitRtc.SignalRequest request, CompletableFuture<Void> confirmation) {
        }

        Listener(CompletableFuture<LivekitRtc.JoinResponse> joined, Consumer<String> ended) {
            this.joined = joined;
            this.ended = ended;
        }

        void dropped(Consumer<String> handler) {
            dropped = handler;
        }

        /**
         * The connection in use, the last one opened: a close or error on an earlier one means nothing any more.
         * It is set when the connection opens, before its first message, so an answer to the first offer on a
         * resumed connection goes out on that connection.
         */
        WebSocket current() {
            return current;
        }

        CompletableFuture<Void> expectConfirmation(int requestId, LivekitRtc.SignalRequest request) {
            CompletableFuture<Void> confirmation = new CompletableFuture<>();
            unconfirmed.put(requestId, new Unconfirmed(request, confirmation));
            confirmation.whenComplete((done, error) -> unconfirmed.remove(requestId));
            return confirmation;
        }

        java.util.List<LivekitRtc.SignalRequest> unconfirmedRequests() {
            return unconfirmed.values().stream().map(Unconfirmed::request).toList();
        }

        /** The session is over: no answer will come, so the requests waiting for one fail now, saying why. */
        void failUnconfirmed(String why) {
            unconfirmed.values().forEach(waiting -> waiting.confirmation().completeExceptionally(
                    new IllegalStateException(why)));
        }

        /** LiveKit's answer to a request: QUEUED is not the last word, OK confirms it, anything else refuses it. */
        private void answered(LivekitRtc.RequestResponse answer) {
            Unconfirmed waiting = unconfirmed.get(answer.getRequestId());
            if (waiting == null || answer.getReason() == LivekitRtc.RequestResponse.Reason.QUEUED) {
                return;
            }
            if (answer.getReason() == LivekitRtc.RequestResponse.Reason.OK) {
                waiting.confirmation().complete(null);
            } else {
                String message = answer.getMessage().isEmpty() ? "" : " (" + answer.getMessage() + ")";
                waiting.confirmation().completeExceptionally(new IllegalStateException("LiveKit refused the request: "
                        + answer.getReason() + message));
            }
        }

        synchronized CompletableFuture<LivekitRtc.ReconnectResponse> expectReconnect() {
            reconnect = new CompletableFuture<>();
            message.reset();
            return reconnect;
        }

        @Override
        public void onOpen(WebSocket socket) {
            synchronized (this) {
                message.reset();
            }
            current = socket;
            socket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            LivekitRtc.SignalResponse complete = null;
            synchronized (this) {
                message.write(bytes, 0, bytes.length);
                if (last) {
                    try {
                        complete = LivekitRtc.SignalResponse.parseFrom(message.toByteArray());
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        LOG.warn("LiveKit sent a signal message that does not parse: {}", e.getMessage());
                    }
                    message.reset();
                }
            }
            if (complete != null) {
                handle(complete);
            }
            socket.request(1);
            return null;
        }

        private void handle(LivekitRtc.SignalResponse response) {
            switch (response.getMessageCase()) {
                case JOIN -> {
                    attributes = Map.copyOf(response.getJoin().getParticipant().getAttributesMap());
                    joined.complete(response.getJoin());
                }
                case UPDATE -> {
                    ownAttributes(response.getUpdate());
                    toMedia(response);
                }
                case RECONNECT -> reconnect.complete(response.getReconnect());
                case REQUEST_RESPONSE -> answered(response.getRequestResponse());
                case LEAVE -> {
                    left = true;
                    String why = describe(response.getLeave().getReason());
                    failUnconfirmed(why);
                    ended.accept(why);
                }
                default -> toMedia(response);
            }
        }

        /** The caller's participant as the room last described it: its attributes, which agents may set. */
        private void ownAttributes(LivekitRtc.ParticipantUpdate update) {
            if (!joined.isDone() || joined.isCompletedExceptionally()) {
                return;
            }
            String own = joined.join().getParticipant().getSid();
            update.getParticipantsList().stream().filter(p -> p.getSid().equals(own)).reduce((a, b) -> b)
                    .ifPresent(p -> attributes = Map.copyOf(p.getAttributesMap()));
        }

        /**
         * Until the bridge is there, only what it needs to set up its connections is kept, and only so much: a
         * call without the bridge would otherwise keep every room update for as long as it lasts.
         */
        private synchronized void toMedia(LivekitRtc.SignalResponse response) {
            if (media.isEmpty()) {
                if (EARLY_KINDS.contains(response.getMessageCase()) && early.size() < MAX_EARLY) {
                    early.add(response);
                }
            } else {
                media.forEach(handler -> handler.accept(response));
            }
        }

        synchronized void media(Consumer<LivekitRtc.SignalResponse> handler) {
            media.add(handler);
            early.forEach(handler);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            lost(socket, new IllegalStateException("LiveKit closed the connection: " + status + " " + reason),
                    "LiveKit closed the participant's connection (" + status + ")");
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            lost(socket, error, "the participant's connection to LiveKit failed: " + error);
        }

        /**
         * Before the join, the join fails; after it, the session resumes; an old connection's end is ignored. The
         * lost connection is aborted, which fails a write still waiting on it at once instead of after its timeout,
         * so the writes behind it (on the resumed connection) are not held up.
         */
        private void lost(WebSocket socket, Throwable error, String why) {
            reconnect.completeExceptionally(error);
            if (!joined.isDone()) {
                joined.completeExceptionally(error);
                ended.accept(why);
            } else if (socket == current && !left) {
                dropped.accept(why);
            }
            // After the session has started resuming, so the write this fails is held for the resumed connection.
            socket.abort();
        }

        private static String describe(LivekitModels.DisconnectReason reason) {
            return switch (reason) {
                case PARTICIPANT_REMOVED -> "participant removed from the room";
                case ROOM_DELETED, ROOM_CLOSED -> "room deleted";
                case SERVER_SHUTDOWN -> "LiveKit server shut down";
                case DUPLICATE_IDENTITY -> "another participant joined with the same identity";
                default -> "LiveKit ended the participant (" + reason + ")";
            };
        }
    }
}
