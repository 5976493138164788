package io.dialtone.gateway.livekit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.gateway.media.G711;
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
 * The caller's G.711 voice as a PCMU or PCMA track in the room, without libwebrtc: LiveKit's publisher peer
 * connection on the gateway's own ICE, DTLS-SRTP and RTP, 20 ms packets of the caller's codec as they are (no
 * transcoding, no audio device, no thread of its own). The client offers; LiveKit answers.
 */
public final class G711RoomPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(G711RoomPublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACK_CID = "phone";
    /** The channel LiveKit takes data packets on from a participant's publisher connection. */
    private static final String RELIABLE = "_reliable";
    private static final int SAMPLES_PER_PACKET = 160;

    private final ParticipantSession session;
    private final PeerTransport transport;
    private final boolean alaw;
    private final RtpSender rtp;
    private final CompletableFuture<LivekitModels.TrackInfo> published = new CompletableFuture<>();
    private final CompletableFuture<String> answer = new CompletableFuture<>();
    /** The packet being filled, guarded by this: two 10 ms frames make one 20 ms packet. */
    private final byte[] payload = new byte[SAMPLES_PER_PACKET];
    private int filled;
    private volatile boolean closed;

    private G711RoomPublisher(ParticipantSession session, WebRtcMedia media, String codec) throws IOException {
        this.session = session;
        this.alaw = codec.equalsIgnoreCase("PCMA");
        this.rtp = new RtpSender(alaw ? 8 : 0, TRACK_CID);
        this.transport = media.transport("publisher", true, packet -> { }, (label, data) -> { });
    }

    /**
     * Publishes the track and waits until its transport is up.
     *
     * @param codec "PCMU" or "PCMA", the caller's codec
     * @throws IOException when LiveKit does not take the codec (its room.enabled_codecs), or a step times out
     */
    public static G711RoomPublisher publish(ParticipantSession session, WebRtcMedia media, String codec,
                                            long timeoutMillis) throws Exception {
        G711RoomPublisher publisher = new G711RoomPublisher(session, media, codec);
        try {
            session.onMediaSignal(publisher::signal);
            String name = codec.toUpperCase(Locale.ROOT);
            session.send(LivekitRtc.SignalRequest.newBuilder().setAddTrack(LivekitRtc.AddTrackRequest.newBuilder()
                    .setCid(TRACK_CID).setName("phone").setType(LivekitModels.TrackType.AUDIO)
                    .setSource(LivekitModels.TrackSource.MICROPHONE)
                    .addSimulcastCodecs(LivekitRtc.SimulcastCodec.newBuilder().setCid(TRACK_CID)
                            .setCodec(name.toLowerCase(Locale.ROOT)))).build());
            LivekitModels.TrackInfo info = await(publisher.published, timeoutMillis,
                    "LiveKit did not confirm the caller's track");
            String accepted = info.getCodecsCount() == 0 ? "" : info.getCodecs(0).getMimeType();
            if (!accepted.equalsIgnoreCase("audio/" + name)) {
                throw new IOException("LiveKit takes the caller's track as " + accepted + ", not " + name
                        + " (see its room.enabled_codecs)");
            }
            RemoteDescription.Codec offered = new RemoteDescription.Codec(publisher.alaw ? 8 : 0, name, 8000);
            String offer = LocalDescription.audioOffer(publisher.transport.credentials(), media.identity().fingerprint(),
                    publisher.transport.localAddress(), offered, publisher.rtp.ssrc(), TRACK_CID);
            session.send(LivekitRtc.SignalRequest.newBuilder().setOffer(LivekitRtc.SessionDescription.newBuilder()
                    .setType("offer").setSdp(offer)).build());
            RemoteDescription remote = RemoteDescription.parse(await(publisher.answer, timeoutMillis,
                    "LiveKit did not answer the publisher's offer"));
            publisher.transport.connect(remote, false, media.identity(), media.timers(), timeoutMillis);
            publisher.transport.dataChannels().orElseThrow().open(RELIABLE);
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

    /** One 10 ms frame of the caller's audio at 8 kHz; every second one sends a packet. */
    public void push(short[] frame) {
        if (frame.length != SAMPLES_PER_PACKET / 2 || closed) {
            return;
        }
        RtpPacket packet;
        synchronized (payload) {
            for (short sample : frame) {
                payload[filled++] = alaw ? G711.encodeAlaw(sample) : G711.encodeUlaw(sample);
            }
            if (filled < SAMPLES_PER_PACKET) {
                return;
            }
            filled = 0;
            packet = rtp.next(payload.clone(), SAMPLES_PER_PACKET);
        }
        ByteBuffer wire = ByteBuffer.allocate(packet.length() + 16);
        packet.writeTo(wire);
        transport.sendRtp(wire.flip());
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
            case TRICKLE -> {
                if (response.getTrickle().getTarget() == LivekitRtc.SignalTarget.PUBLISHER) {
                    try {
                        JsonNode init = JSON.readTree(response.getTrickle().getCandidateInit());
                        RemoteDescription.candidate(init.path("candidate").asText()).ifPresent(transport::candidate);
                    } catch (IOException e) {
                        LOG.warn("LiveKit sent an ICE candidate that does not parse: {}",
                                response.getTrickle().getCandidateInit());
                    }
                }
            }
            default -> { }
        }
    }

    @Override
    public void close() {
        closed = true;
        transport.close();
    }
}
