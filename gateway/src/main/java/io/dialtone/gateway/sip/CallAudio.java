package io.dialtone.gateway.sip;

import io.dialtone.gateway.livekit.RoomAudioPublisher;
import io.dialtone.gateway.livekit.RoomAudioSubscriber;
import io.dialtone.gateway.media.PhoneToRoom;
import io.dialtone.gateway.media.RoomToPhone;

/**
 * A call's audio bridge, both directions, once it is set up; empty while the gateway does not bridge audio. It
 * closes in the one order DESIGN 4a found safe: the clocks that feed libwebrtc, then the sinks and connections.
 */
final class CallAudio implements AutoCloseable {
    private volatile RoomAudioSubscriber subscriber;
    private volatile RoomToPhone toPhone;
    private volatile RoomAudioPublisher publisher;
    private volatile PhoneToRoom toRoom;

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

    @Override
    public void close() {
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
    }
}
