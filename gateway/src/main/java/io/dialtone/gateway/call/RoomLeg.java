package io.dialtone.gateway.call;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The room side of one call, as the SIP side sees it: join the room, bridge audio (publish the caller, subscribe to
 * the room), send DTMF, set the caller's status, leave. Every method returns at once; the network work runs on the
 * room leg's own threads and completes the futures there, so a call posts their outcomes back to its loop.
 * A leg runs its steps one after another, so a {@link #leave()} during a join or bridge closes what that step
 * opened, in order, once it is done; steps asked for after the leave do not run.
 */
public interface RoomLeg {
    /** Creates or finds the room, dispatches its agents, and joins the caller's participant. */
    CompletableFuture<Void> join();

    /**
     * Publishes the caller's audio and subscribes to the room's, once joined.
     *
     * @param phoneRate  the sample rate of the frames the caller's side will push
     * @param roomCodec  the codec to ask LiveKit for: "opus", "PCMU" or "PCMA"
     * @param toPhone    receives the room's audio, a block of one track at a time as its packets arrive, on the
     *                   media sockets' thread
     * @param roomDigits receives DTMF the room sends to the caller
     * @param control    receives what agents in the room ask of the call (transfer, hang up, digits)
     */
    CompletableFuture<RoomAudio> bridge(int phoneRate, String roomCodec, TrackAudio toPhone,
                                        Consumer<Character> roomDigits, Consumer<CallControl.Request> control);

    /**
     * The caller's participant attributes as the room last set them: an agent may change them during the call, and
     * the trunk's attributesToHeaders sends some back on the BYE. Empty before the caller has joined.
     */
    java.util.Map<String, String> attributes();

    /** Sets the caller's sip.callStatus attribute, which agents watch. */
    CompletableFuture<Void> callStatus(String status);

    /**
     * Leaves the room and closes the bridge, after any step still under way; safe at any moment and more than once.
     * Completes when everything the leg opened is closed, so a gateway that exits can wait for it.
     */
    CompletableFuture<Void> leave();

    /** A block of one remote track (one packet's worth), mono; the array is the receiver's to keep. */
    @FunctionalInterface
    interface TrackAudio {
        void accept(String trackId, short[] samples, int sampleRate);
    }

    /** The bridge's end in the room. */
    interface RoomAudio {
        /** One 10 ms frame of the caller's audio, at the phone rate given to {@link #bridge}. */
        void push(short[] frame);

        /** A digit the caller pressed, to the room as LiveKit's SipDTMF. */
        void sendDtmf(char digit);

        /** Completes when the first audio track of another participant is subscribed. */
        CompletableFuture<Void> firstTrack();

        /** The codec LiveKit accepted for the caller's track. */
        String codec();
    }
}
