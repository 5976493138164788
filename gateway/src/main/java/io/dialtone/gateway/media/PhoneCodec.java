package io.dialtone.gateway.media;

import io.dialtone.api.v1alpha1.Codec;

/**
 * The negotiated phone-side codec for one direction of one call: 20 ms frames of linear audio at the codec's own
 * rate to RTP payloads and back. G.722 keeps adaptive state, so every direction takes its own instance. Whatever
 * the audio rate, a frame advances the RTP clock by 160: G.722 is sent with an 8 kHz RTP clock (RFC 3551 4.5.2).
 */
public final class PhoneCodec {
    public static final int FRAME_MILLIS = 20;
    public static final int RTP_UNITS_PER_FRAME = 8000 * FRAME_MILLIS / 1000;

    private final Codec codec;
    private final G722.Encoder g722Encoder;
    private final G722.Decoder g722Decoder;

    private PhoneCodec(Codec codec) {
        this.codec = codec;
        this.g722Encoder = codec == Codec.G722 ? new G722.Encoder() : null;
        this.g722Decoder = codec == Codec.G722 ? new G722.Decoder() : null;
    }

    public static PhoneCodec of(Codec codec) {
        return new PhoneCodec(codec);
    }

    public Codec codec() {
        return codec;
    }

    /** Samples per second of the linear audio the codec carries. */
    public int sampleRate() {
        return codec == Codec.G722 ? G722.SAMPLE_RATE : 8000;
    }

    /** Linear samples in one 20 ms frame. */
    public int frameSamples() {
        return sampleRate() * FRAME_MILLIS / 1000;
    }

    public byte[] encode(short[] frame) {
        if (codec == Codec.G722) {
            return g722Encoder.encode(frame);
        }
        byte[] payload = new byte[frame.length];
        for (int i = 0; i < frame.length; i++) {
            payload[i] = codec == Codec.PCMU ? G711.encodeUlaw(frame[i]) : G711.encodeAlaw(frame[i]);
        }
        return payload;
    }

    /** One payload's audio; a payload shorter or longer than 20 ms gives as many samples as it carries. */
    public short[] decode(byte[] payload) {
        if (codec == Codec.G722) {
            return g722Decoder.decode(payload);
        }
        short[] samples = new short[payload.length];
        for (int i = 0; i < payload.length; i++) {
            samples[i] = codec == Codec.PCMU ? G711.decodeUlaw(payload[i]) : G711.decodeAlaw(payload[i]);
        }
        return samples;
    }
}
