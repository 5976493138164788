package io.dialtone.gateway.call;

import io.dialtone.routing.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Room legs the test completes by hand: each step's future stays open until the test says how it went. */
public final class FakeRoomLegs implements RoomLegs {
    public final List<Leg> opened = new ArrayList<>();

    @Override
    public RoomLeg open(String callId, Decision.Accept accept, Duration tokenLifetime, Consumer<String> endedByRoom) {
        Leg leg = new Leg(accept, endedByRoom);
        opened.add(leg);
        return leg;
    }

    /** The one leg opened so far. */
    public Leg leg() {
        if (opened.size() != 1) {
            throw new IllegalStateException(opened.size() + " legs opened");
        }
        return opened.get(0);
    }

    public static final class Leg implements RoomLeg {
        public final Decision.Accept accept;
        public final Consumer<String> endedByRoom;
        public final CompletableFuture<Void> joined = new CompletableFuture<>();
        public final CompletableFuture<RoomAudio> bridged = new CompletableFuture<>();
        public final List<String> statuses = new ArrayList<>();
        public int bridgeRequests;
        /** Where the room's call-control requests go, once the call asked for the bridge. */
        public Consumer<CallControl.Request> control;
        public int leaves;
        /** The caller's participant attributes, as an agent would have set them in the room. */
        public java.util.Map<String, String> attributes = java.util.Map.of();

        Leg(Decision.Accept accept, Consumer<String> endedByRoom) {
            this.accept = accept;
            this.endedByRoom = endedByRoom;
        }

        @Override
        public CompletableFuture<Void> join() {
            return joined;
        }

        @Override
        public CompletableFuture<RoomAudio> bridge(int phoneRate, String roomCodec, TrackAudio toPhone,
                                                   Consumer<Character> roomDigits,
                                                   Consumer<CallControl.Request> control) {
            bridgeRequests++;
            this.control = control;
            return bridged;
        }

        @Override
        public java.util.Map<String, String> attributes() {
            return attributes;
        }

        @Override
        public CompletableFuture<Void> callStatus(String status) {
            statuses.add(status);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> leave() {
            leaves++;
            return CompletableFuture.completedFuture(null);
        }
    }

    /** The room end of a bridge, recording what the call sends into the room. */
    public static final class Audio implements RoomLeg.RoomAudio {
        public final CompletableFuture<Void> firstTrack = new CompletableFuture<>();
        public final List<Character> digits = new ArrayList<>();
        public int frames;

        @Override
        public synchronized void push(short[] frame) {
            frames++;
        }

        @Override
        public synchronized void sendDtmf(char digit) {
            digits.add(digit);
        }

        @Override
        public CompletableFuture<Void> firstTrack() {
            return firstTrack;
        }

        @Override
        public String codec() {
            return "PCMU";
        }
    }
}
