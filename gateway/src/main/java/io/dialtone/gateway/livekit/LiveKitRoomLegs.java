package io.dialtone.gateway.livekit;

import io.dialtone.gateway.call.CallControl;
import io.dialtone.gateway.call.RoomLeg;
import io.dialtone.gateway.call.RoomLegs;
import io.dialtone.gateway.webrtc.WebRtcMedia;
import io.dialtone.routing.Decision;
import io.dialtone.routing.Participants;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room legs on a real LiveKit: RoomService for the room and its agents, the client signalling protocol for the
 * caller's participant, the gateway's own media engine ({@code io.dialtone.gateway.webrtc}) for the audio.
 * LiveKit's APIs block for a network round trip (seconds when LiveKit or the CPU is busy), and so does a peer
 * connection's setup, so each step runs on {@code io}, a pool only room legs use, never on a call's loop.
 */
public final class LiveKitRoomLegs implements RoomLegs {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");
    private static final long PUBLISH_TIMEOUT_MILLIS = 10_000;
    private static final long ANSWER_HEAD_START_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final RoomProvisioner rooms;
    private final ExecutorService io;
    private final ScheduledExecutorService pings;
    private final MediaOnce media;

    /**
     * @param pings     schedules each participant's keep-alive; the ping itself is sent on {@code io}
     * @param livekitUrl where LiveKit is, whose route tells the media engine which address to offer
     */
    public LiveKitRoomLegs(RoomProvisioner rooms, ExecutorService io, ScheduledExecutorService pings,
                           String livekitUrl) {
        this.rooms = rooms;
        this.io = io;
        this.pings = pings;
        this.media = new MediaOnce(livekitUrl);
    }

    /** The process's media engine, made by the first bridged call. */
    private static final class MediaOnce {
        private final String livekitUrl;
        private WebRtcMedia media;

        MediaOnce(String livekitUrl) {
            this.livekitUrl = livekitUrl;
        }

        synchronized WebRtcMedia get() throws java.io.IOException {
            if (media == null) {
                media = WebRtcMedia.towards(livekitUrl);
            }
            return media;
        }
    }

    @Override
    public RoomLeg open(String callId, Decision.Accept accept, Duration tokenLifetime, Consumer<String> endedByRoom) {
        return new Leg(callId, accept, tokenLifetime, endedByRoom);
    }

    /**
     * One call's leg. Its steps run one after another on {@code io}, each after the one before has finished, so a
     * leave during a bridge waits for the bridge and then closes everything in order, and
     * no two threads ever close or open parts of the same leg at once.
     */
    private final class Leg implements RoomLeg {
        private final String callId;
        private final Decision.Accept accept;
        private final Duration tokenLifetime;
        private final Consumer<String> endedByRoom;
        /** The last step queued; guarded by this. */
        private CompletableFuture<?> steps = CompletableFuture.completedFuture(null);
        private CompletableFuture<Void> leaving;
        // Written and read by the steps only, which never run at once; the participant is also read for its
        // attributes by the call's loop.
        private boolean left;
        private volatile ParticipantSession participant;
        private RoomAudioSubscriber subscriber;
        private RoomAudioPublisher publisher;
        /** Set once the publisher, which sends the answers, is there; read on the media sockets' thread. */
        private volatile CallControlRpc rpc;
        /** When the last RPC answer went out (System.nanoTime), so the leave lets it arrive first. */
        private volatile long answered = System.nanoTime() - ANSWER_HEAD_START_NANOS;

        Leg(String callId, Decision.Accept accept, Duration tokenLifetime, Consumer<String> endedByRoom) {
            this.callId = callId;
            this.accept = accept;
            this.tokenLifetime = tokenLifetime;
            this.endedByRoom = endedByRoom;
        }

        /** Queues {@code step} after the steps before it, whatever became of them; it fails once the leg is left. */
        private synchronized <T> CompletableFuture<T> step(Step<T> step) {
            CompletableFuture<T> next = steps.handle((previous, error) -> null).thenApplyAsync(ignored -> {
                if (left) {
                    throw new IllegalStateException("the call ended while its room leg was being set up");
                }
                return unchecked(step);
            }, io);
            steps = next;
            return next;
        }

        @Override
        public CompletableFuture<Void> join() {
            return step(() -> {
                rooms.provision(accept.roomName(), accept.room());
                participant = rooms.joinCaller(accept, tokenLifetime, pings, io, endedByRoom);
                return null;
            });
        }

        @Override
        public CompletableFuture<RoomAudio> bridge(int phoneRate, String roomCodec, TrackAudio toPhone,
                                                   Consumer<Character> roomDigits,
                                                   Consumer<CallControl.Request> control) {
            return step(() -> {
                if (participant == null) {
                    throw new IllegalStateException("the caller has not joined the room");
                }
                ParticipantSession joined = participant;
                // The room side subscribes first, so LiveKit's first offer finds it.
                WebRtcMedia shared = media.get();
                subscriber = RoomAudioSubscriber.subscribe(joined, shared, phoneRate, toPhone, roomDigits,
                        this::request, io);
                publisher = RoomAudioPublisher.publish(joined, shared, phoneRate, roomCodec, PUBLISH_TIMEOUT_MILLIS);
                RoomAudioPublisher answers = publisher;
                rpc = new CallControlRpc(callId, packet -> {
                    answered = System.nanoTime();
                    answers.send(packet);
                }, this::kindOf, control, io, System::nanoTime);
                return new Audio(publisher, subscriber);
            });
        }

        /** An RPC request for the caller's participant; one that comes before the bridge is up gets no answer. */
        private void request(String from, livekit.LivekitModels.RpcRequest request) {
            CallControlRpc answering = rpc;
            if (answering != null) {
                answering.request(from, request);
            } else {
                LOG.info("event=call_control_early call={} from={} method={} why=\"the call's audio is not bridged"
                        + " yet\"", callId, from, request.getMethod());
            }
        }

        /**
         * An agent's request that ends the call (a transfer, a hang-up) is answered just before the leave: the answer
         * travels on the data channel, the leave on the signalling connection, and a leave that overtakes it leaves
         * the agent with "recipient disconnected" instead of its answer. So the participant stays that much longer.
         */
        private void answerFirst() {
            long wait = ANSWER_HEAD_START_NANOS - (System.nanoTime() - answered);
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** A participant's kind, from LiveKit; unknown when LiveKit cannot say (it is down, say). */
        private java.util.Optional<livekit.LivekitModels.ParticipantInfo.Kind> kindOf(String identity) {
            try {
                return rooms.participantKind(accept.roomName(), identity);
            } catch (Exception e) {
                LOG.warn("event=participant_lookup_failed call={} participant={} error=\"{}\"", callId, identity,
                        e.toString());
                return java.util.Optional.empty();
            }
        }

        @Override
        public java.util.Map<String, String> attributes() {
            ParticipantSession joined = participant;
            return joined == null ? java.util.Map.of() : joined.attributes();
        }

        @Override
        public CompletableFuture<Void> callStatus(String status) {
            // After the steps before it; LiveKit's confirmation is waited for outside them, holding none back.
            return step(() -> {
                if (participant == null) {
                    throw new IllegalStateException("the caller has not joined the room");
                }
                return participant;
            }).thenCompose(joined -> joined.updateAttributes(Map.of(Participants.ATTR_CALL_STATUS, status)));
        }

        @Override
        public synchronized CompletableFuture<Void> leave() {
            if (leaving != null) {
                return leaving;
            }
            // Not through step(): it must run however the steps before it ended.
            leaving = steps.handle((previous, error) -> null).thenRunAsync(() -> {
                left = true;
                answerFirst();
                // The audio in the order it was opened (subscriber, then publisher), the participant last, so
                // LiveKit sees the caller leave rather than its connections fail.
                for (AutoCloseable resource : new AutoCloseable[] {subscriber, publisher, participant}) {
                    if (resource == null) {
                        continue;
                    }
                    try {
                        resource.close();
                    } catch (Exception e) {
                        LOG.debug("call={} closing {}: {}", callId, resource.getClass().getSimpleName(),
                                e.toString());
                    }
                }
            }, io);
            steps = leaving;
            return leaving;
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

    /** One step of a leg: a LiveKit round trip or a peer connection's setup, which may block. */
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
