package io.dialtone.gateway.livekit;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's audio for the caller: LiveKit's subscriber peer connection (the server offers, we answer), every
 * remote audio track handed to a sink, and the data packets the caller's participant takes from the data channels
 * LiveKit opens on it (SipDTMF, and RPC requests addressed to it, {@link CallControlRpc}). Sinks run
 * on libwebrtc's shared playout thread with 10 ms blocks, so the receiver must only copy and return.
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
    private final Consumer<Character> digits;
    private final java.util.function.BiConsumer<String, LivekitModels.RpcRequest> requests;
    private final List<RTCDataChannel> channels = new ArrayList<>();
    private final List<AudioTrack> tracks = new ArrayList<>();
    private final List<AudioTrackSink> sinks = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> firstTrack = new CompletableFuture<>();

    private RoomAudioSubscriber(ParticipantSession session, WebRtcEngine engine, TrackAudio audio,
                                Consumer<Character> digits,
                                java.util.function.BiConsumer<String, LivekitModels.RpcRequest> requests) {
        this.session = session;
        this.audio = audio;
        this.digits = digits;
        this.requests = requests;
        this.signalling = new PeerSignalling(session, LivekitRtc.SignalTarget.SUBSCRIBER);
        this.connection = engine.subscriberFactory().createPeerConnection(
                PeerSignalling.configuration(session.joinResponse()), new Observer());
        signalling.connection(connection);
    }

    /**
     * Starts answering LiveKit's subscriber offers; tracks arrive as the room publishes them.
     *
     * @param digits   DTMF the room sends to the caller (LiveKit's publish_dtmf)
     * @param requests RPC requests for the caller's participant, with their sender's identity; on libwebrtc's thread
     */
    public static RoomAudioSubscriber subscribe(ParticipantSession session, WebRtcEngine engine, TrackAudio audio,
                                                Consumer<Character> digits,
                                                java.util.function.BiConsumer<String, LivekitModels.RpcRequest> requests) {
        RoomAudioSubscriber subscriber = new RoomAudioSubscriber(session, engine, audio, digits, requests);
        session.onMediaSignal(subscriber::signal);
        return subscriber;
    }

    /** Completes when the first remote audio track is subscribed; fails if the subscriber closes before. */
    public CompletableFuture<Void> firstTrack() {
        return firstTrack;
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

    private void data(RTCDataChannelBuffer buffer) {
        if (closed.get() || !buffer.binary) {
            return;
        }
        try {
            LivekitModels.DataPacket packet = LivekitModels.DataPacket.parseFrom(buffer.data);
            if (packet.hasSipDtmf() && !packet.getSipDtmf().getDigit().isEmpty()) {
                digits.accept(packet.getSipDtmf().getDigit().charAt(0));
            } else if (packet.hasRpcRequest()) {
                requests.accept(packet.getParticipantIdentity(), packet.getRpcRequest());
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            LOG.debug("a data packet from the room does not parse: {}", e.getMessage());
        }
    }

    /** Sinks and data-channel observers off first, then the connection (docs/architecture.md, "Media"). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        firstTrack.completeExceptionally(new IllegalStateException("the room's audio closed before a track came"));
        List<AudioTrack> subscribed;
        List<AudioTrackSink> attached;
        List<RTCDataChannel> opened;
        // Copied under the lock, released outside it: libwebrtc's callbacks (onTrack) take the lock on its
        // signalling thread, which the native calls below may wait for.
        synchronized (tracks) {
            subscribed = List.copyOf(tracks);
            attached = List.copyOf(sinks);
            opened = List.copyOf(channels);
            tracks.clear();
            sinks.clear();
            channels.clear();
        }
        for (int i = 0; i < subscribed.size(); i++) {
            subscribed.get(i).removeSink(attached.get(i));
        }
        opened.forEach(RTCDataChannel::unregisterObserver);
        connection.close();
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            signalling.sendCandidate(candidate);
        }

        @Override
        public void onDataChannel(RTCDataChannel channel) {
            synchronized (tracks) {
                if (closed.get()) {
                    return;
                }
                channels.add(channel);
            }
            channel.registerObserver(new RTCDataChannelObserver() {
                @Override
                public void onBufferedAmountChange(long previous) {
                }

                @Override
                public void onStateChange() {
                }

                @Override
                public void onMessage(RTCDataChannelBuffer buffer) {
                    data(buffer);
                }
            });
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
                if (closed.get()) {
                    return;
                }
                tracks.add(audioTrack);
                sinks.add(sink);
            }
            audioTrack.addSink(sink);
            LOG.debug("subscribed to audio track {}", id);
            firstTrack.complete(null);
        }
    }
}
