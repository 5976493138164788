package io.dialtone.gateway.livekit;

import io.dialtone.gateway.call.RoomLeg;
import io.dialtone.gateway.media.G711;
import io.dialtone.gateway.media.RtpPacket;
import io.dialtone.gateway.webrtc.LocalDescription;
import io.dialtone.gateway.webrtc.OfferedSections;
import io.dialtone.gateway.webrtc.PeerTransport;
import io.dialtone.gateway.webrtc.RemoteDescription;
import io.dialtone.gateway.webrtc.WebRtcMedia;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's audio and data toward the caller: LiveKit's subscriber peer connection (LiveKit
 * offers, the gateway answers) on the gateway's own ICE, DTLS-SRTP and SCTP. Each remote track's Opus is decoded
 * straight to the phone's rate as its packets arrive, and handed on per track; the call's playout queues absorb
 * jitter and mix. Data packets from the room bring DTMF and RPC requests for the caller.
 */
public final class RoomAudioSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomAudioSubscriber.class);
    /** Streams decoded at once: more than a room's speakers ever are; beyond it new SSRCs are ignored. */
    private static final int MAX_STREAMS = 32;
    /** Lost packets concealed by Opus before a stream just goes on. */
    private static final int MAX_CONCEALED = 3;

    private final ParticipantSession session;
    private final WebRtcMedia media;
    private final int phoneRate;
    private final RoomLeg.TrackAudio audio;
    private final Consumer<Character> digits;
    private final BiConsumer<String, LivekitModels.RpcRequest> requests;
    private final Executor io;
    private final PeerTransport transport;
    private final CompletableFuture<Void> firstTrack = new CompletableFuture<>();
    /** Which track each SSRC carries, as the latest offer says; guarded by itself. */
    private final Map<Long, String> tracks = new HashMap<>();
    /** Touched only on the sockets' thread. */
    private final Map<Long, Stream> streams = new HashMap<>();
    private boolean connecting;
    private volatile boolean closed;

    /** One remote stream's decoder and where it got to. */
    private final class Stream {
        final String track;
        final OpusDecoder opus;
        final short[] pcm;
        int lastSequence = -1;
        int lastSamples;

        Stream(String track, boolean opus) throws OpusException {
            this.track = track;
            this.opus = opus ? new OpusDecoder(phoneRate, 1) : null;
            this.pcm = new short[phoneRate * 120 / 1000];
        }
    }

    private RoomAudioSubscriber(ParticipantSession session, WebRtcMedia media, int phoneRate, RoomLeg.TrackAudio audio,
                              Consumer<Character> digits, BiConsumer<String, LivekitModels.RpcRequest> requests,
                              Executor io) throws IOException {
        this.session = session;
        this.media = media;
        this.phoneRate = phoneRate;
        this.audio = audio;
        this.digits = digits;
        this.requests = requests;
        this.io = io;
        this.transport = media.transport("subscriber", false, this::rtp, this::data);
    }

    /**
     * Starts answering LiveKit's subscriber offers; tracks arrive as the room publishes them.
     *
     * @param phoneRate the rate the caller's codec runs at (8 or 16 kHz), which the room's audio is decoded to
     * @param io        where the connection is set up (it blocks until ICE and DTLS are done)
     */
    public static RoomAudioSubscriber subscribe(ParticipantSession session, WebRtcMedia media, int phoneRate,
                                              RoomLeg.TrackAudio audio, Consumer<Character> digits,
                                              BiConsumer<String, LivekitModels.RpcRequest> requests, Executor io)
            throws IOException {
        RoomAudioSubscriber receiver = new RoomAudioSubscriber(session, media, phoneRate, audio, digits, requests, io);
        session.onMediaSignal(receiver::signal);
        return receiver;
    }

    /** Completes when the first packet of another participant's audio arrives; fails if closed before. */
    public CompletableFuture<Void> firstTrack() {
        return firstTrack;
    }

    private void signal(LivekitRtc.SignalResponse response) {
        if (closed) {
            return;
        }
        switch (response.getMessageCase()) {
            case OFFER -> offer(response.getOffer().getSdp());
            case TRICKLE -> TrickledCandidates.of(response.getTrickle(), LivekitRtc.SignalTarget.SUBSCRIBER)
                    .ifPresent(transport::candidate);
            default -> { }
        }
    }

    private void offer(String sdp) {
        try {
            OfferedSections sections = OfferedSections.parse(sdp);
            RemoteDescription remote = RemoteDescription.parse(sdp);
            synchronized (tracks) {
                tracks.clear();
                tracks.putAll(sections.tracksBySsrc());
            }
            transport.renegotiated(remote);
            String answer = LocalDescription.answer(transport.credentials(), media.identity().fingerprint(),
                    transport.candidateAddress(), sections);
            session.send(LivekitRtc.SignalRequest.newBuilder().setAnswer(LivekitRtc.SessionDescription.newBuilder()
                    .setType("answer").setSdp(answer)).build());
            boolean first;
            synchronized (this) {
                first = !connecting;
                connecting = true;
            }
            if (first) {
                io.execute(() -> connect(remote));
            }
        } catch (RemoteDescription.InvalidDescription | IOException e) {
            LOG.warn("event=subscriber_offer_refused participant={} why=\"{}\"", session.participantSid(),
                    e instanceof RemoteDescription.InvalidDescription ? e.getMessage() : e.toString());
        }
    }

    private void connect(RemoteDescription remote) {
        try {
            transport.connect(remote, true, media.identity(), media.timers(), 10_000);
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("event=subscriber_failed participant={} error=\"{}\"", session.participantSid(),
                        e.getMessage());
            }
        }
    }

    /** A clear RTP packet from LiveKit, on the sockets' thread. */
    private void rtp(ByteBuffer datagram) {
        if (closed) {
            return;
        }
        RtpPacket packet;
        try {
            packet = RtpPacket.parse(datagram);
        } catch (RtpPacket.MalformedPacketException e) {
            return;
        }
        byte[] payload = packet.payload();
        int payloadType = packet.payloadType();
        int sequence = packet.sequence();
        long ssrc = packet.ssrc();
        if (payload.length == 0) {
            return;
        }
        Stream stream = stream(ssrc, payloadType);
        if (stream == null) {
            return;
        }
        int gap = stream.lastSequence < 0 ? 1 : (sequence - stream.lastSequence) & 0xFFFF;
        if (gap == 0 || gap > 0x8000) {
            return; // late or repeated: the playout queue has moved past it
        }
        stream.lastSequence = sequence;
        try {
            if (stream.opus != null) {
                for (int lost = Math.min(gap - 1, MAX_CONCEALED); lost > 0 && stream.lastSamples > 0; lost--) {
                    deliver(stream, stream.opus.decode(null, 0, 0, stream.pcm, 0, stream.lastSamples, false));
                }
                int samples = stream.opus.decode(payload, 0, payload.length, stream.pcm, 0, stream.pcm.length, false);
                stream.lastSamples = samples;
                deliver(stream, samples);
            } else {
                for (int i = 0; i < payload.length && i < stream.pcm.length; i++) {
                    stream.pcm[i] = payloadType == 8 ? G711.decodeAlaw(payload[i]) : G711.decodeUlaw(payload[i]);
                }
                deliverAt(stream, Math.min(payload.length, stream.pcm.length), 8000);
            }
        } catch (OpusException e) {
            LOG.debug("event=opus_undecodable ssrc={} error=\"{}\"", ssrc, e.getMessage());
        }
        firstTrack.complete(null);
    }

    private Stream stream(long ssrc, int payloadType) {
        Stream stream = streams.get(ssrc);
        if (stream != null || streams.size() >= MAX_STREAMS) {
            return stream;
        }
        String track;
        synchronized (tracks) {
            track = tracks.getOrDefault(ssrc, "ssrc-" + ssrc);
        }
        try {
            stream = new Stream(track, payloadType != 0 && payloadType != 8);
        } catch (OpusException e) {
            throw new IllegalStateException("an Opus decoder at " + phoneRate + " Hz could not be made", e);
        }
        streams.put(ssrc, stream);
        return stream;
    }

    private void deliver(Stream stream, int samples) {
        deliverAt(stream, samples, phoneRate);
    }

    private void deliverAt(Stream stream, int samples, int rate) {
        audio.accept(stream.track, Arrays.copyOf(stream.pcm, samples), rate);
    }

    /** A data channel message from the room, on the sockets' thread. */
    private void data(String label, byte[] bytes) {
        if (closed) {
            return;
        }
        try {
            LivekitModels.DataPacket packet = LivekitModels.DataPacket.parseFrom(bytes);
            if (packet.hasSipDtmf() && !packet.getSipDtmf().getDigit().isEmpty()) {
                digits.accept(packet.getSipDtmf().getDigit().charAt(0));
            } else if (packet.hasRpcRequest()) {
                requests.accept(packet.getParticipantIdentity(), packet.getRpcRequest());
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            LOG.debug("a data packet from the room does not parse: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        firstTrack.completeExceptionally(new IllegalStateException("the room's audio closed before a track came"));
        transport.close();
    }
}
