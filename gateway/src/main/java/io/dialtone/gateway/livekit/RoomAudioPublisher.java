package io.dialtone.gateway.livekit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's voice as an audio track in the room: LiveKit's publisher peer connection (the client offers),
 * one Opus track fed with 10 ms frames of 48 kHz PCM, candidates trickled both ways over the participant's
 * signalling session.
 */
public final class RoomAudioPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomAudioPublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACK_CID = "phone";
    public static final int SAMPLE_RATE = 48000;
    public static final int FRAME_SAMPLES = SAMPLE_RATE / 100;

    private final ParticipantSession session;
    private final CustomAudioSource source = new CustomAudioSource();
    private final AudioTrack track;
    private final RTCPeerConnection connection;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<LivekitModels.TrackInfo> published = new CompletableFuture<>();
    private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean remoteSet;

    private RoomAudioPublisher(ParticipantSession session, WebRtcEngine engine) {
        this.session = session;
        this.track = engine.publisherFactory().createAudioTrack("phone-audio", source);
        this.connection = engine.publisherFactory().createPeerConnection(configuration(session.joinResponse()),
                new Observer());
    }

    /** Publishes the track and waits until the peer connection is up. */
    public static RoomAudioPublisher publish(ParticipantSession session, WebRtcEngine engine, long timeoutMillis)
            throws Exception {
        RoomAudioPublisher publisher = new RoomAudioPublisher(session, engine);
        try {
            session.onMediaSignal(publisher::signal);
            session.send(LivekitRtc.SignalRequest.newBuilder().setAddTrack(LivekitRtc.AddTrackRequest.newBuilder()
                    .setCid(TRACK_CID).setName("phone").setType(LivekitModels.TrackType.AUDIO)
                    .setSource(LivekitModels.TrackSource.MICROPHONE)).build());
            publisher.published.get(timeoutMillis, TimeUnit.MILLISECONDS);
            publisher.connection.addTrack(publisher.track, List.of("phone"));
            publisher.offer();
            publisher.connected.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return publisher;
        } catch (Exception e) {
            publisher.close();
            throw e;
        }
    }

    /** One 10 ms frame of 16-bit mono PCM at 48 kHz. */
    public void push(short[] frame) {
        if (closed.get() || frame.length != FRAME_SAMPLES) {
            return;
        }
        byte[] bytes = new byte[frame.length * 2];
        for (int i = 0; i < frame.length; i++) {
            bytes[2 * i] = (byte) frame[i];
            bytes[2 * i + 1] = (byte) (frame[i] >> 8);
        }
        source.pushAudio(bytes, 16, SAMPLE_RATE, 1, FRAME_SAMPLES);
    }

    private void offer() {
        connection.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription offer) {
                connection.setLocalDescription(offer, new Logged("set local offer"));
                session.send(LivekitRtc.SignalRequest.newBuilder().setOffer(LivekitRtc.SessionDescription.newBuilder()
                        .setType("offer").setSdp(offer.sdp)).build());
            }

            @Override
            public void onFailure(String error) {
                connected.completeExceptionally(new IllegalStateException("createOffer failed: " + error));
            }
        });
    }

    private void signal(LivekitRtc.SignalResponse response) {
        if (closed.get()) {
            return;
        }
        switch (response.getMessageCase()) {
            case TRACK_PUBLISHED -> {
                if (response.getTrackPublished().getCid().equals(TRACK_CID)) {
                    published.complete(response.getTrackPublished().getTrack());
                }
            }
            case ANSWER -> connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER,
                    response.getAnswer().getSdp()), new SetSessionDescriptionObserver() {
                        @Override
                        public void onSuccess() {
                            drainCandidates();
                        }

                        @Override
                        public void onFailure(String error) {
                            connected.completeExceptionally(new IllegalStateException("LiveKit's answer: " + error));
                        }
                    });
            case TRICKLE -> {
                if (response.getTrickle().getTarget() == LivekitRtc.SignalTarget.PUBLISHER) {
                    candidate(response.getTrickle().getCandidateInit());
                }
            }
            default -> LOG.debug("signal {} not handled by the publisher", response.getMessageCase());
        }
    }

    private synchronized void candidate(String init) {
        try {
            JsonNode json = JSON.readTree(init);
            RTCIceCandidate candidate = new RTCIceCandidate(json.path("sdpMid").asText(),
                    json.path("sdpMLineIndex").asInt(), json.path("candidate").asText());
            if (remoteSet) {
                connection.addIceCandidate(candidate);
            } else {
                pendingCandidates.add(candidate);
            }
        } catch (java.io.IOException e) {
            LOG.warn("LiveKit sent an ICE candidate that does not parse: {}", init);
        }
    }

    private synchronized void drainCandidates() {
        remoteSet = true;
        pendingCandidates.forEach(connection::addIceCandidate);
        pendingCandidates.clear();
    }

    private static RTCConfiguration configuration(LivekitRtc.JoinResponse join) {
        RTCConfiguration configuration = new RTCConfiguration();
        if (configuration.iceServers == null) {
            configuration.iceServers = new ArrayList<>();
        }
        for (LivekitRtc.ICEServer server : join.getIceServersList()) {
            RTCIceServer ice = new RTCIceServer();
            ice.urls = new ArrayList<>(server.getUrlsList());
            ice.username = server.getUsername();
            ice.password = server.getCredential();
            configuration.iceServers.add(ice);
        }
        return configuration;
    }

    /** Order that does not crash (DESIGN 4a): the connection first, then what fed it. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        connection.close();
        source.dispose();
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            String init;
            try {
                init = JSON.writeValueAsString(java.util.Map.of("candidate", candidate.sdp, "sdpMid", candidate.sdpMid,
                        "sdpMLineIndex", candidate.sdpMLineIndex));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return;
            }
            session.send(LivekitRtc.SignalRequest.newBuilder().setTrickle(LivekitRtc.TrickleRequest.newBuilder()
                    .setCandidateInit(init).setTarget(LivekitRtc.SignalTarget.PUBLISHER)).build());
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            LOG.debug("publisher connection {}", state);
            if (state == RTCPeerConnectionState.CONNECTED) {
                connected.complete(null);
            } else if (state == RTCPeerConnectionState.FAILED) {
                connected.completeExceptionally(new IllegalStateException("the publisher connection failed"));
            }
        }
    }

    private static final class Logged implements SetSessionDescriptionObserver {
        private final String what;

        Logged(String what) {
            this.what = what;
        }

        @Override
        public void onSuccess() {
        }

        @Override
        public void onFailure(String error) {
            LOG.warn("{} failed: {}", what, error);
        }
    }
}
