package io.dialtone.gateway.sip;

import io.dialtone.gateway.livekit.RoomAudioPublisher;
import io.dialtone.gateway.livekit.RoomAudioSubscriber;
import io.dialtone.gateway.media.JitterBuffer;
import io.dialtone.gateway.media.PhoneToRoom;
import io.dialtone.gateway.media.PromptPlayer;
import io.dialtone.gateway.media.RoomToPhone;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's audio: the PIN prompts while they play, and the bridge, both directions, once it is set up (empty while
 * the gateway does not bridge audio). It closes in the one order DESIGN 4a found safe: the clocks that feed
 * libwebrtc, then the sinks and connections; and says in one log line how the call's media went.
 */
final class CallAudio {
    private static final Logger CALLS = LoggerFactory.getLogger("dialtone.calls");

    private volatile RoomAudioSubscriber subscriber;
    private volatile RoomToPhone toPhone;
    private volatile RoomAudioPublisher publisher;
    private volatile PhoneToRoom toRoom;
    private volatile PromptPlayer prompts;

    void prompts(PromptPlayer player) {
        this.prompts = player;
    }

    /** Stops the prompts for good, before the bridge takes over the call's RTP stream. */
    void endPrompts() {
        PromptPlayer player = prompts;
        if (player != null) {
            player.close();
        }
    }

    /** Completes once the room's first audio track is subscribed; never without the bridge. */
    CompletableFuture<Void> firstRoomTrack() {
        return subscriber == null ? new CompletableFuture<>() : subscriber.firstTrack();
    }

    void roomToPhone(RoomAudioSubscriber roomAudio, RoomToPhone phone) {
        this.subscriber = roomAudio;
        this.toPhone = phone;
    }

    void phoneToRoom(RoomAudioPublisher roomAudio, PhoneToRoom phone) {
        this.publisher = roomAudio;
        this.toRoom = phone;
    }

    /** True once the bridge reads the call's RTP port itself (and tells the call when media arrives). */
    boolean readsRtp() {
        return toRoom != null;
    }

    void end(String callId) {
        endPrompts();
        if (toPhone != null) {
            toPhone.close();
        }
        if (toRoom != null) {
            toRoom.close();
        }
        if (subscriber != null) {
            subscriber.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (toRoom != null && toPhone != null) {
            JitterBuffer jitter = toRoom.jitter();
            CALLS.info("event=media call={} toRoomLost={} toRoomLate={} toRoomDiscarded={} jitterMs={} delayMs={} "
                            + "toRoomHeldMs={} toPhonePackets={} toPhoneQueuedMs={} toPhoneUnderruns={} toPhoneDroppedMs={} "
                            + "roomCodec={}",
                    callId, jitter.lost(), jitter.late(),
                    jitter.discarded(), Math.round(jitter.jitterMillis()), jitter.targetDelayMillis(),
                    Math.round(toRoom.heldMillis()), toPhone.packetsSent(), Math.round(toPhone.queuedMillis()),
                    toPhone.underruns(), toPhone.droppedMillis(), publisher == null ? "-" : publisher.codec());
        }
    }
}
