package io.dialtone.gateway.livekit;

import io.dialtone.gateway.media.RtpPacket;
import io.dialtone.gateway.media.RtpSender;
import io.dialtone.gateway.media.TelephoneEvent;
import io.dialtone.gateway.webrtc.LocalDescription;
import io.dialtone.gateway.webrtc.PeerTransport;
import io.dialtone.gateway.webrtc.RemoteDescription;
import io.dialtone.gateway.webrtc.WebRtcMedia;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's voice as an audio track in the room: LiveKit's publisher peer connection (the client offers) on the
 * gateway's own ICE, DTLS-SRTP and RTP, one 20 ms packet per two of the caller's 10 ms frames, in G.711 as the caller
 * sent it where LiveKit takes that (no transcoding but the table lookup back from PCM) or else Opus
 * ({@link RoomTrackEncoder}); and the caller's DTMF as SipDTMF packets on the reliable data channel LiveKit expects.
 */
public final class RoomAudioPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomAudioPublisher.class);
    private static final String TRACK_CID = "phone";
    /** The channel LiveKit takes data packets on from a participant's publisher connection. */
    private static final String RELIABLE = "_reliable";

    private final PeerTransport transport;
    private final CompletableFuture<LivekitModels.TrackInfo> published = new CompletableFuture<>();
    private final CompletableFuture<String> answer = new CompletableFuture<>();
    private final int phoneRate;
    /** Set once LiveKit said which codec it takes; frames pushed before then are dropped. */
    private volatile RoomTrackEncoder encoder;
    private volatile RtpSender rtp;
    private volatile boolean closed;

    private RoomAudioPublisher(WebRtcMedia media, int phoneRate) throws IOException {
        this.phoneRate = phoneRate;
        this.transport = media.transport("publisher", true, packet -> { }, (label, data) -> { });
    }

    /**
     * Publishes the track and waits until its transport is up.
     *
     * @param phoneRate the rate of the frames {@link #push} will take (8 or 16 kHz from the phone)
     * @param codec     the codec to ask LiveKit for ("PCMU", "PCMA" or "opus"); where LiveKit does not take it (its
     *                  room.enabled_codecs), it says so and the track is Opus
     */
    public static RoomAudioPublisher publish(ParticipantSession session, WebRtcMedia media, int phoneRate,
                                             String codec, long timeoutMillis) throws Exception {
        RoomAudioPublisher publisher = new RoomAudioPublisher(media, phoneRate);
        try {
            session.onMediaSignal(publisher::signal);
            session.send(LivekitRtc.SignalRequest.newBuilder().setAddTrack(LivekitRtc.AddTrackRequest.newBuilder()
                    .setCid(TRACK_CID).setName("phone").setType(LivekitModels.TrackType.AUDIO)
                    .setSource(LivekitModels.TrackSource.MICROPHONE)
                    .addSimulcastCodecs(LivekitRtc.SimulcastCodec.newBuilder().setCid(TRACK_CID)
                            .setCodec(codec.toLowerCase(Locale.ROOT)))).build());
            LivekitModels.TrackInfo info = await(publisher.published, timeoutMillis,
                    "LiveKit did not confirm the caller's track");
            String accepted = info.getCodecsCount() == 0 ? "audio/opus" : info.getCodecs(0).getMimeType();
            RoomTrackEncoder encoder = RoomTrackEncoder.forMime(accepted, phoneRate);
            RtpSender rtp = new RtpSender(encoder.codec().payloadType(), TRACK_CID);
            String offer = LocalDescription.audioOffer(publisher.transport.credentials(), media.identity().fingerprint(),
                    publisher.transport.candidateAddress(), encoder.codec(), rtp.ssrc(), TRACK_CID);
            session.send(LivekitRtc.SignalRequest.newBuilder().setOffer(LivekitRtc.SessionDescription.newBuilder()
                    .setType("offer").setSdp(offer)).build());
            RemoteDescription remote = RemoteDescription.parse(await(publisher.answer, timeoutMillis,
                    "LiveKit did not answer the publisher's offer"));
            publisher.transport.connect(remote, false, media.identity(), media.timers(), timeoutMillis);
            // Agents send RPC requests as soon as the call is up: their acknowledgements must find the channel open.
            await(publisher.transport.dataChannels().orElseThrow().open(RELIABLE), timeoutMillis,
                    "LiveKit did not open the publisher's data channels");
            publisher.rtp = rtp;
            publisher.encoder = encoder;
            return publisher;
        } catch (Exception e) {
            publisher.close();
            throw e;
        }
    }

    private static <T> T await(CompletableFuture<T> step, long timeoutMillis, String what) throws Exception {
        try {
            return step.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException(what + " within " + timeoutMillis + " ms", e);
        }
    }

    /** The codec of the caller's track in the room ("PCMU", "PCMA" or "opus"). */
    public String codec() {
        RoomTrackEncoder chosen = encoder;
        return chosen == null ? "opus" : chosen.codec().name();
    }

    /** One 10 ms frame of 16-bit mono PCM at the phone's rate; every second one sends a packet. */
    public void push(short[] frame) {
        RoomTrackEncoder chosen = encoder;
        if (closed || chosen == null || frame.length != phoneRate / 100) {
            return;
        }
        chosen.add(frame).ifPresent(payload -> {
            RtpPacket packet = rtp.next(payload, chosen.rtpUnitsPerPacket());
            ByteBuffer wire = ByteBuffer.allocate(packet.length() + 16);
            packet.writeTo(wire);
            transport.sendRtp(wire.flip());
        });
    }

    /** A digit the caller pressed, to everyone in the room (LiveKit's sip_dtmf_received). */
    public void sendDtmf(char digit) {
        send(LivekitModels.DataPacket.newBuilder().setKind(LivekitModels.DataPacket.Kind.RELIABLE)
                .setSipDtmf(LivekitModels.SipDTMF.newBuilder().setCode(TelephoneEvent.code(digit))
                        .setDigit(String.valueOf(digit))).build());
    }

    /** A data packet on the reliable channel: DTMF, and the answers to RPC requests. */
    public void send(LivekitModels.DataPacket packet) {
        boolean sent = !closed && transport.dataChannels().map(channels -> channels.send(RELIABLE,
                packet.toByteArray())).orElse(false);
        if (!sent) {
            LOG.debug("data packet {} not sent: the data channel is not open", packet.getValueCase());
        }
    }

    private void signal(LivekitRtc.SignalResponse response) {
        if (closed) {
            return;
        }
        switch (response.getMessageCase()) {
            case TRACK_PUBLISHED -> {
                if (response.getTrackPublished().getCid().equals(TRACK_CID)) {
                    published.complete(response.getTrackPublished().getTrack());
                }
            }
            case ANSWER -> answer.complete(response.getAnswer().getSdp());
            case TRICKLE -> TrickledCandidates.of(response.getTrickle(), LivekitRtc.SignalTarget.PUBLISHER)
                    .ifPresent(transport::candidate);
            default -> { }
        }
    }

    @Override
    public void close() {
        closed = true;
        transport.close();
    }
}
