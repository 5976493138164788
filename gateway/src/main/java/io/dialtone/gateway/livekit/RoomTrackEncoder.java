package io.dialtone.gateway.livekit;

import io.dialtone.gateway.media.G711;
import io.dialtone.gateway.media.Resampler;
import io.dialtone.gateway.webrtc.RemoteDescription;
import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Turns the caller's 10 ms frames into the payloads of the room track's 20 ms packets, in the codec LiveKit took:
 * G.711 by table lookup (a wideband caller's audio first brought down to 8 kHz), or Opus with Concentus at the
 * phone's own rate. Used by one thread at a time (the call's media clock).
 */
sealed interface RoomTrackEncoder {
    /** The codec as the offer names it. */
    RemoteDescription.Codec codec();

    /** How far a packet moves the RTP clock (8 kHz for G.711, 48 kHz for Opus, 20 ms either way). */
    int rtpUnitsPerPacket();

    /** Takes one 10 ms frame; a packet's payload every second frame. */
    Optional<byte[]> add(short[] frame);

    /** For a track LiveKit took as {@code mime} ("audio/PCMU", "audio/opus", ...). */
    static RoomTrackEncoder forMime(String mime, int phoneRate) throws OpusException {
        String name = mime.substring(mime.indexOf('/') + 1);
        if (name.equalsIgnoreCase("PCMU") || name.equalsIgnoreCase("PCMA")) {
            return new G711Packets(name.equalsIgnoreCase("PCMA"), phoneRate);
        }
        return new OpusPackets(phoneRate);
    }

    final class G711Packets implements RoomTrackEncoder {
        private final boolean alaw;
        private final Resampler toNarrowband;
        private final byte[] payload = new byte[160];
        private int filled;

        G711Packets(boolean alaw, int phoneRate) {
            this.alaw = alaw;
            this.toNarrowband = phoneRate == 8000 ? null : new Resampler(phoneRate, 8000);
        }

        @Override
        public RemoteDescription.Codec codec() {
            return alaw ? new RemoteDescription.Codec(8, "PCMA", 8000) : new RemoteDescription.Codec(0, "PCMU", 8000);
        }

        @Override
        public int rtpUnitsPerPacket() {
            return 160;
        }

        @Override
        public Optional<byte[]> add(short[] frame) {
            short[] narrow = toNarrowband == null ? frame : toNarrowband.process(frame);
            for (short sample : narrow) {
                if (filled < payload.length) {
                    payload[filled++] = alaw ? G711.encodeAlaw(sample) : G711.encodeUlaw(sample);
                }
            }
            if (filled < payload.length) {
                return Optional.empty();
            }
            filled = 0;
            return Optional.of(payload.clone());
        }
    }

    final class OpusPackets implements RoomTrackEncoder {
        /**
         * Enough for voice at 8 or 16 kHz. Complexity 3 took about 0.11 ms of a core per 20 ms frame here, against
         * 0.19 ms at 5 and at 10 (Concentus 1.0.2, 16 kHz, warmed up).
         */
        private static final int BITRATE = 32_000;
        private static final int COMPLEXITY = 3;
        private final OpusEncoder encoder;
        private final short[] frame;
        private final byte[] out = new byte[1500];
        private int filled;

        OpusPackets(int phoneRate) throws OpusException {
            // The audio application (CELT): the voice application's SILK moved a 5 kHz tone's level by +2 dB and a
            // 1 kHz tone's by -0.6 dB on the way through, where CELT kept both within 0.3 dB.
            encoder = new OpusEncoder(phoneRate, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
            encoder.setBitrate(BITRATE);
            encoder.setComplexity(COMPLEXITY);
            frame = new short[phoneRate / 50];
        }

        @Override
        public RemoteDescription.Codec codec() {
            return new RemoteDescription.Codec(111, "opus", 48000);
        }

        @Override
        public int rtpUnitsPerPacket() {
            return 960;
        }

        @Override
        public Optional<byte[]> add(short[] tenMillis) {
            System.arraycopy(tenMillis, 0, frame, filled, Math.min(tenMillis.length, frame.length - filled));
            filled += tenMillis.length;
            if (filled < frame.length) {
                return Optional.empty();
            }
            filled = 0;
            try {
                int length = encoder.encode(frame, 0, frame.length, out, 0, out.length);
                return Optional.of(Arrays.copyOf(out, length));
            } catch (OpusException e) {
                return Optional.empty();
            }
        }
    }
}
