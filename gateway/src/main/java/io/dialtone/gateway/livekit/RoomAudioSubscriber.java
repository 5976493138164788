package io.dialtone.gateway.livekit;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's audio for the caller: LiveKit's subscriber peer connection (the server offers, we answer), every
 * remote audio track handed to a sink. Sinks run on libwebrtc's shared playout thread with 10 ms blocks, so the
 * receiver must only copy and return.
 */
public final class RoomAudioSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomAudioSubscriber.class);

    /** 10 ms of one remote track: 16-bit little-endian PCM as libwebrtc plays it out. */
    public interface TrackAudio {
        void accept(String trackId, byte[] pcm, int sampleRate, int channels, int frames);
    }

    private final ParticipantSession session;
    private final PeerSignalling signalling;
    private final RTCPeerConnection connection;
    private final TrackAudio audio;
    private final List<AudioTrack> tracks = new ArrayList<>();
    private final List<AudioTrackSink> sinks = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RoomAudioSubscriber(ParticipantSession session, WebRtcEngine engine, TrackAudio audio) {
        this.session = session;
        this.audio = audio;
        this.signalling = new PeerSignalling(session, LivekitRtc.SignalTarget.SUBSCRIBER);
        this.connection = engine.subscriberFactory().createPeerConnection(
                PeerSignalling.configuration(session.joinResponse()), new Observer());
        signalling.connection(connection);
    }

    /** Starts answering LiveKit's subscriber offers; tracks arrive as the room publishes them. */
    public static RoomAudioSubscriber subscribe(ParticipantSession session, WebRtcEngine engine, TrackAudio audio) {
        RoomAudioSubscriber subscriber = new RoomAudioSubscriber(session, engine, audio);
        session.onMediaSignal(subscriber::signal);
        return subscriber;
    }

    private void signal(LivekitRtc.SignalResponse response) {
        if (closed.get()) {
            return;
        }
        switch (response.getMessageCase()) {
            case OFFER -> connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER,
                    response.getOffer().getSdp()), PeerSignalling.logged("subscriber: LiveKit's offer", this::answer));
            case TRICKLE -> signalling.receiveCandidate(response.getTrickle());
            default -> LOG.trace("signal {} not for the subscriber", response.getMessageCase());
        }
    }

    private void answer() {
        signalling.remoteDescriptionSet();
        connection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription answer) {
                connection.setLocalDescription(answer, PeerSignalling.logged("subscriber: set local answer", () -> { }));
                session.send(LivekitRtc.SignalRequest.newBuilder().setAnswer(LivekitRtc.SessionDescription.newBuilder()
                        .setType("answer").setSdp(answer.sdp)).build());
            }

            @Override
            public void onFailure(String error) {
                LOG.warn("subscriber: createAnswer failed: {}", error);
            }
        });
    }

    /** Sinks off first, then the connection (DESIGN 4a's order). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (tracks) {
            for (int i = 0; i < tracks.size(); i++) {
                tracks.get(i).removeSink(sinks.get(i));
            }
            tracks.clear();
            sinks.clear();
        }
        connection.close();
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            signalling.sendCandidate(candidate);
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            MediaStreamTrack track = transceiver.getReceiver().getTrack();
            if (!(track instanceof AudioTrack audioTrack) || closed.get()) {
                return;
            }
            String id = track.getId();
            AudioTrackSink sink = (data, bitsPerSample, sampleRate, channels, frames) -> {
                if (bitsPerSample == 16 && !closed.get()) {
                    audio.accept(id, data, sampleRate, channels, frames);
                }
            };
            synchronized (tracks) {
                tracks.add(audioTrack);
                sinks.add(sink);
            }
            audioTrack.addSink(sink);
            LOG.debug("subscribed to audio track {}", id);
        }
    }
}
