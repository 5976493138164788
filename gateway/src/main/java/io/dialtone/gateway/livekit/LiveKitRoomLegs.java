package io.dialtone.gateway.livekit;

import io.dialtone.gateway.call.RoomLeg;
import io.dialtone.gateway.call.RoomLegs;
import io.dialtone.routing.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room legs on a real LiveKit: RoomService for the room and its agents, the client signalling protocol for the
 * caller's participant, libwebrtc for the audio. LiveKit's APIs block for a network round trip (seconds when LiveKit
 * or the CPU is busy), so each step runs on {@code io}, a pool only room legs use, never on a call's loop.
 */
public final class LiveKitRoomLegs implements RoomLegs {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");
    private static final long PUBLISH_TIMEOUT_MILLIS = 10_000;

    private final RoomProvisioner rooms;
    private final ExecutorService io;
    private final ScheduledExecutorService pings;

    /** @param pings schedules each participant's keep-alive; the ping itself is sent on {@code io} */
    public LiveKitRoomLegs(RoomProvisioner rooms, ExecutorService io, ScheduledExecutorService pings) {
        this.rooms = rooms;
        this.io = io;
        this.pings = pings;
    }

    @Override
    public RoomLeg open(String callId, Decision.Accept accept, Duration tokenLifetime, Consumer<String> endedByRoom) {
        return new Leg(callId, accept, tokenLifetime, endedByRoom);
    }

    private final class Leg implements RoomLeg {
        private final String callId;
        private final Decision.Accept accept;
        private final Duration tokenLifetime;
        private final Consumer<String> endedByRoom;
        /** What the leg holds open, closed in reverse order; guarded by itself. */
        private final List<AutoCloseable> opened = new ArrayList<>();
        private boolean left;
        private volatile ParticipantSession participant;

        Leg(String callId, Decision.Accept accept, Duration tokenLifetime, Consumer<String> endedByRoom) {
            this.callId = callId;
            this.accept = accept;
            this.tokenLifetime = tokenLifetime;
            this.endedByRoom = endedByRoom;
        }

        @Override
        public CompletableFuture<Void> join() {
            return CompletableFuture.runAsync(() -> unchecked(() -> {
                rooms.provision(accept.roomName(), accept.room());
                ParticipantSession session = rooms.joinCaller(accept, tokenLifetime, pings, io, endedByRoom);
                attach(session);
                participant = session;
                return null;
            }), io);
        }

        @Override
        public CompletableFuture<RoomAudio> bridge(int phoneRate, String roomCodec, TrackAudio toPhone,
                                                   Consumer<Character> roomDigits) {
            return CompletableFuture.supplyAsync(() -> unchecked(() -> {
                ParticipantSession session = participant;
                if (session == null) {
                    throw new IllegalStateException("the caller has not joined the room");
                }
                // The room side subscribes first, so LiveKit's first offer finds it.
                RoomAudioSubscriber subscriber = RoomAudioSubscriber.subscribe(session, WebRtcEngine.get(),
                        toPhone::accept, roomDigits);
                attach(subscriber);
                RoomAudioPublisher publisher = RoomAudioPublisher.publish(session, WebRtcEngine.get(), phoneRate,
                        roomCodec, PUBLISH_TIMEOUT_MILLIS);
                attach(publisher);
                return new Audio(publisher, subscriber);
            }), io);
        }

        @Override
        public CompletableFuture<Void> callStatus(String status) {
            return CompletableFuture.runAsync(() -> unchecked(() -> {
                rooms.callStatus(accept.roomName(), accept.participant().identity(), status);
                return null;
            }), io);
        }

        /** Keeps {@code resource} until the leg is left; closes it at once when the leg was left meanwhile. */
        private void attach(AutoCloseable resource) throws Exception {
            synchronized (opened) {
                if (!left) {
                    opened.add(resource);
                    return;
                }
            }
            resource.close();
            throw new IllegalStateException("the call ended while its room leg was being set up");
        }

        @Override
        public void leave() {
            List<AutoCloseable> toClose;
            synchronized (opened) {
                if (left) {
                    return;
                }
                left = true;
                toClose = new ArrayList<>(opened);
                opened.clear();
            }
            if (toClose.isEmpty()) {
                return;
            }
            // The audio in the order it was opened (subscriber, then publisher), the participant last: the order
            // libwebrtc survives (docs/architecture.md, "Media").
            toClose.sort(java.util.Comparator.comparing(resource -> resource instanceof ParticipantSession));
            io.execute(() -> toClose.forEach(resource -> {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.debug("call={} closing {}: {}", callId, resource.getClass().getSimpleName(), e.toString());
                }
            }));
        }
    }

    private record Audio(RoomAudioPublisher publisher, RoomAudioSubscriber subscriber) implements RoomLeg.RoomAudio {
        @Override
        public void push(short[] frame) {
            publisher.push(frame);
        }

        @Override
        public void sendDtmf(char digit) {
            publisher.sendDtmf(digit);
        }

        @Override
        public CompletableFuture<Void> firstTrack() {
            return subscriber.firstTrack();
        }

        @Override
        public String codec() {
            return publisher.codec();
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T unchecked(Step<T> step) {
        try {
            return step.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
