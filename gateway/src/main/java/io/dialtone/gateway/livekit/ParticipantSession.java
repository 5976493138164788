package io.dialtone.gateway.livekit;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's participant in the room, over LiveKit's client signalling protocol (WebSocket /rtc with
 * SignalRequest/SignalResponse protobufs): it joins with the SIP token, keeps the connection alive with pings,
 * and reports when LiveKit ends it (participant removed, room deleted, server gone) so the call can hang up.
 * Audio tracks ride on this session's peer connections, which the media bridge adds.
 */
public final class ParticipantSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSession.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final WebSocket socket;
    private final CompletableFuture<LivekitRtc.JoinResponse> joined;
    private final AtomicBoolean leaving;
    private final Listener listener;
    private volatile ScheduledFuture<?> pings;

    private ParticipantSession(WebSocket socket, CompletableFuture<LivekitRtc.JoinResponse> joined, AtomicBoolean leaving,
                               Listener listener) {
        this.socket = socket;
        this.joined = joined;
        this.leaving = leaving;
        this.listener = listener;
    }

    /**
     * Joins and waits for LiveKit's JoinResponse.
     *
     * @param ended called once if LiveKit ends the session, with why (not called after {@link #close()})
     */
    public static ParticipantSession join(String livekitUrl, String token, Duration timeout,
                                          ScheduledExecutorService timers, Consumer<String> ended) throws Exception {
        String base = livekitUrl.replaceFirst("^http", "ws");
        URI uri = URI.create(base.replaceAll("/+$", "") + "/rtc?access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&auto_subscribe=1&protocol=15&sdk=dialtone");
        CompletableFuture<LivekitRtc.JoinResponse> joined = new CompletableFuture<>();
        AtomicBoolean leaving = new AtomicBoolean();
        AtomicBoolean reported = new AtomicBoolean();
        Consumer<String> endOnce = why -> {
            if (!leaving.get() && reported.compareAndSet(false, true)) {
                ended.accept(why);
            }
        };
        Listener listener = new Listener(joined, endOnce);
        WebSocket socket = HTTP.newWebSocketBuilder().connectTimeout(timeout)
                .buildAsync(uri, listener).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        ParticipantSession session = new ParticipantSession(socket, joined, leaving, listener);
        LivekitRtc.JoinResponse join = joined.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        int interval = Math.max(1, join.getPingInterval() > 0 ? join.getPingInterval() : 10);
        session.pings = timers.scheduleAtFixedRate(session::ping, interval, interval, TimeUnit.SECONDS);
        return session;
    }

    public String participantSid() {
        return joined.join().getParticipant().getSid();
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

    private void ping() {
        send(LivekitRtc.SignalRequest.newBuilder().setPing(System.currentTimeMillis()).build());
    }

    /**
     * Sends one request and waits until it is written. One at a time: the JDK's WebSocket refuses a send while
     * another is outstanding, and requests come from several threads (the call, ICE, libwebrtc's signalling).
     */
    public synchronized void send(LivekitRtc.SignalRequest request) {
        if (leaving.get() && !request.hasLeave()) {
            return;
        }
        try {
            socket.sendBinary(ByteBuffer.wrap(request.toByteArray()), true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("signal request {} not sent to LiveKit: {}", request.getMessageCase(), e.toString());
        }
    }

    /** Leaves the room: the participant disappears at once instead of after LiveKit's timeout. */
    @Override
    public void close() {
        if (!leaving.compareAndSet(false, true)) {
            return;
        }
        if (pings != null) {
            pings.cancel(false);
        }
        synchronized (this) {
            send(LivekitRtc.SignalRequest.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                    .setReason(LivekitModels.DisconnectReason.CLIENT_INITIATED)).build());
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "call ended");
        }
    }

    private static final class Listener implements WebSocket.Listener {
        private static final java.util.Set<LivekitRtc.SignalResponse.MessageCase> EARLY_KINDS = java.util.EnumSet.of(
                LivekitRtc.SignalResponse.MessageCase.OFFER, LivekitRtc.SignalResponse.MessageCase.ANSWER,
                LivekitRtc.SignalResponse.MessageCase.TRICKLE, LivekitRtc.SignalResponse.MessageCase.TRACK_PUBLISHED);
        private static final int MAX_EARLY = 256;
        private final CompletableFuture<LivekitRtc.JoinResponse> joined;
        private final Consumer<String> ended;
        private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        private final java.util.List<LivekitRtc.SignalResponse> early = new java.util.ArrayList<>();
        private final java.util.List<Consumer<LivekitRtc.SignalResponse>> media = new java.util.ArrayList<>();

        Listener(CompletableFuture<LivekitRtc.JoinResponse> joined, Consumer<String> ended) {
            this.joined = joined;
            this.ended = ended;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            message.write(bytes, 0, bytes.length);
            if (last) {
                try {
                    handle(LivekitRtc.SignalResponse.parseFrom(message.toByteArray()));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    LOG.warn("LiveKit sent a signal message that does not parse: {}", e.getMessage());
                }
                message.reset();
            }
            socket.request(1);
            return null;
        }

        private void handle(LivekitRtc.SignalResponse response) {
            switch (response.getMessageCase()) {
                case JOIN -> joined.complete(response.getJoin());
                case LEAVE -> ended.accept(describe(response.getLeave().getReason()));
                default -> toMedia(response);
            }
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
            joined.completeExceptionally(new IllegalStateException("LiveKit closed the connection before the join: "
                    + status + " " + reason));
            ended.accept("LiveKit closed the participant's connection (" + status + ")");
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            joined.completeExceptionally(error);
            ended.accept("the participant's connection to LiveKit failed: " + error.getMessage());
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
