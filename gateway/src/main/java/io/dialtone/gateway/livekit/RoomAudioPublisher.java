package io.dialtone.gateway.livekit;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaType;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.dialtone.gateway.media.TelephoneEvent;
import java.nio.ByteBuffer;
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
 * one audio track (G.711 as the caller sent it, or Opus; see {@link #publish}) fed with 10 ms frames of PCM at the
 * phone codec's rate (libwebrtc resamples only for Opus), candidates trickled both ways over the participant's
 * signalling session; and the caller's DTMF as SipDTMF packets on the reliable data channel LiveKit expects.
 */
public final class RoomAudioPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomAudioPublisher.class);
    private static final String TRACK_CID = "phone";

    private final ParticipantSession session;
    private final CustomAudioSource source = new CustomAudioSource();
    private final AudioTrack track;
    private final RTCPeerConnection connection;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<LivekitModels.TrackInfo> published = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final PeerSignalling signalling;
    private final RTCDataChannel reliable;
    private volatile RTCPeerConnectionState lastState = RTCPeerConnectionState.NEW;
    private final int sampleRate;
    private final WebRtcEngine engine;
    private volatile String codec = "opus";

    private RoomAudioPublisher(ParticipantSession session, WebRtcEngine engine, int sampleRate) {
        this.session = session;
        this.engine = engine;
        this.sampleRate = sampleRate;
        this.signalling = new PeerSignalling(session, LivekitRtc.SignalTarget.PUBLISHER);
        this.track = engine.publisherFactory().createAudioTrack("phone-audio", source);
        this.connection = engine.publisherFactory().createPeerConnection(
                PeerSignalling.configuration(session.joinResponse()), new Observer());
        signalling.connection(connection);
        RTCDataChannelInit ordered = new RTCDataChannelInit();
        ordered.ordered = true;
        this.reliable = connection.createDataChannel("_reliable", ordered);
    }

    /**
     * Publishes the track and waits until the peer connection is up.
     *
     * @param sampleRate the rate of the frames {@link #push} will take (8 or 16 kHz from the phone)
     * @param codec      the codec to ask LiveKit for ("PCMU", "PCMA" or "opus"); where LiveKit does not take it
     *                   (its room.enabled_codecs), it says so and the track is Opus
     */
    public static RoomAudioPublisher publish(ParticipantSession session, WebRtcEngine engine, int sampleRate,
                                             String codec, long timeoutMillis) throws Exception {
        RoomAudioPublisher publisher = new RoomAudioPublisher(session, engine, sampleRate);
        try {
            session.onMediaSignal(publisher::signal);
            session.send(LivekitRtc.SignalRequest.newBuilder().setAddTrack(LivekitRtc.AddTrackRequest.newBuilder()
                    .setCid(TRACK_CID).setName("phone").setType(LivekitModels.TrackType.AUDIO)
                    .setSource(LivekitModels.TrackSource.MICROPHONE)
                    .addSimulcastCodecs(LivekitRtc.SimulcastCodec.newBuilder().setCid(TRACK_CID)
                            .setCodec(codec.toLowerCase(java.util.Locale.ROOT)))).build());
            LivekitModels.TrackInfo info = await(publisher.published, timeoutMillis,
                    "LiveKit did not confirm the caller's track");
            publisher.connection.addTrack(publisher.track, List.of("phone"));
            publisher.preferCodec(info);
            publisher.offer(new RTCOfferOptions());
            session.onResumed(publisher::restartIce);
            await(publisher.connected, timeoutMillis, "the publisher connection did not come up (it is "
                    + publisher.lastState + ")");
            return publisher;
        } catch (Exception e) {
            publisher.close();
            throw e;
        }
    }

    private static <T> T await(CompletableFuture<T> step, long timeoutMillis, String what) throws Exception {
        try {
            return step.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new java.io.IOException(what + " within " + timeoutMillis + " ms", e);
        }
    }

    /**
     * Puts the codec LiveKit accepted for the track first in the offer (libwebrtc sends with the first codec both
     * sides have); the others stay behind it, so an answer without it still finds Opus.
     */
    private void preferCodec(LivekitModels.TrackInfo info) {
        String accepted = info.getCodecsCount() == 0 ? "audio/opus" : info.getCodecs(0).getMimeType();
        String name = accepted.substring(accepted.indexOf('/') + 1);
        List<RTCRtpCodecCapability> codecs = new java.util.ArrayList<>(engine.publisherFactory()
                .getRtpSenderCapabilities(MediaType.AUDIO).getCodecs());
        codecs.sort(java.util.Comparator.comparing(c -> !c.getName().equalsIgnoreCase(name)));
        for (RTCRtpTransceiver transceiver : connection.getTransceivers()) {
            if (transceiver.getSender().getTrack() != null
                    && track.getId().equals(transceiver.getSender().getTrack().getId())) {
                transceiver.setCodecPreferences(codecs);
            }
        }
    }

    /** The codec of the caller's track in the room: the first of LiveKit's answer, which libwebrtc sends with. */
    public String codec() {
        return codec;
    }

    /** The first codec of an SDP's audio section ("opus", "PCMU", ...), or null when it has none. */
    static String firstAudioCodec(String sdp) {
        String payloadType = null;
        for (String line : sdp.split("\\r?\\n")) {
            if (line.startsWith("m=audio ")) {
                String[] fields = line.split(" ");
                payloadType = fields.length > 3 ? fields[3] : null;
            } else if (payloadType != null && line.startsWith("a=rtpmap:" + payloadType + " ")) {
                String encoding = line.substring(line.indexOf(' ') + 1);
                return encoding.substring(0, encoding.indexOf('/') < 0 ? encoding.length() : encoding.indexOf('/'));
            } else if (payloadType != null && line.startsWith("m=")) {
                return null;
            }
        }
        return null;
    }

    /**
     * One 10 ms frame of 16-bit mono PCM at the publisher's sample rate. Pushing and closing exclude each other: a
     * frame pushed into a disposed source would kill the JVM (docs/architecture.md, "Media"), and the media clock may still be inside a
     * tick when the call ends.
     */
    public void push(short[] frame) {
        if (frame.length != sampleRate / 100) {
            return;
        }
        byte[] bytes = new byte[frame.length * 2];
        for (int i = 0; i < frame.length; i++) {
            bytes[2 * i] = (byte) frame[i];
            bytes[2 * i + 1] = (byte) (frame[i] >> 8);
        }
        synchronized (closed) {
            if (!closed.get()) {
                source.pushAudio(bytes, 16, sampleRate, 1, frame.length);
            }
        }
    }

    /** A digit the caller pressed, to everyone in the room (LiveKit's sip_dtmf_received). */
    public void sendDtmf(char digit) {
        send(LivekitModels.DataPacket.newBuilder().setKind(LivekitModels.DataPacket.Kind.RELIABLE)
                .setSipDtmf(LivekitModels.SipDTMF.newBuilder().setCode(TelephoneEvent.code(digit))
                        .setDigit(String.valueOf(digit))).build());
    }

    /** A data packet on the reliable channel: DTMF, and the answers to RPC requests. */
    public void send(LivekitModels.DataPacket packet) {
        byte[] bytes = packet.toByteArray();
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        synchronized (closed) {
            if (closed.get() || reliable.getState() != RTCDataChannelState.OPEN) {
                LOG.debug("data packet {} not sent: the data channel is not open", packet.getValueCase());
                return;
            }
            try {
                reliable.send(new RTCDataChannelBuffer(buffer, true));
            } catch (Exception e) {
                LOG.warn("data packet {} not sent to the room: {}", packet.getValueCase(), e.toString());
            }
        }
    }

    /** After the signalling connection resumed, as LiveKit's SDKs do: a new offer that restarts ICE. */
    private void restartIce() {
        if (closed.get()) {
            return;
        }
        RTCOfferOptions restart = new RTCOfferOptions();
        restart.iceRestart = true;
        offer(restart);
    }

    private void offer(RTCOfferOptions options) {
        connection.createOffer(options, new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription offer) {
                connection.setLocalDescription(offer, PeerSignalling.logged("publisher: set local offer", () -> { }));
                session.send(LivekitRtc.SignalRequest.newBuilder().setOffer(LivekitRtc.SessionDescription.newBuilder()
                        .setType("offer").setSdp(offer.sdp)).build());
            }

            @Override
            public void onFailure(String error) {
                LOG.warn("publisher: createOffer failed: {}", error);
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
            case ANSWER -> {
                String sdp = response.getAnswer().getSdp();
                String answered = firstAudioCodec(sdp);
                if (answered != null) {
                    codec = answered;
                }
                connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp),
                        new SetSessionDescriptionObserver() {
                            @Override
                            public void onSuccess() {
                                signalling.remoteDescriptionSet();
                            }

                            @Override
                            public void onFailure(String error) {
                                connected.completeExceptionally(
                                        new IllegalStateException("LiveKit's answer: " + error));
                            }
                        });
            }
            case TRICKLE -> signalling.receiveCandidate(response.getTrickle());
            default -> LOG.debug("signal {} not handled by the publisher", response.getMessageCase());
        }
    }

    /** Order that does not crash (docs/architecture.md, "Media"): the connection first, then what fed it; never during a push. */
    @Override
    public void close() {
        synchronized (closed) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
        }
        reliable.close();
        connection.close();
        reliable.dispose();
        source.dispose();
    }

    private final class Observer implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            signalling.sendCandidate(candidate);
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            LOG.debug("publisher connection {}", state);
            lastState = state;
            if (state == RTCPeerConnectionState.CONNECTED) {
                connected.complete(null);
            } else if (state == RTCPeerConnectionState.FAILED) {
                connected.completeExceptionally(new IllegalStateException("the publisher connection failed"));
            }
        }
    }
}
