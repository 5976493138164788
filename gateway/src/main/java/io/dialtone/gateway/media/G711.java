package io.dialtone.gateway.media;

/**
 * ITU-T G.711 µ-law (PCMU) and A-law (PCMA) between 16-bit linear samples and 8-bit codes. Decoding goes through
 * 256-entry tables; encoding follows the segment search of the recommendation.
 */
public final class G711 {
    private static final int ULAW_BIAS = 0x84;
    private static final int ULAW_CLIP = 32635;
    private static final short[] ULAW_TO_LINEAR = new short[256];
    private static final short[] ALAW_TO_LINEAR = new short[256];

    static {
        for (int code = 0; code < 256; code++) {
            ULAW_TO_LINEAR[code] = ulawToLinear(code);
            ALAW_TO_LINEAR[code] = alawToLinear(code);
        }
    }

    private G711() {
    }

    public static byte encodeUlaw(short sample) {
        int value = sample;
        int sign = value < 0 ? 0x80 : 0;
        if (value < 0) {
            value = -value;
        }
        value = Math.min(value, ULAW_CLIP) + ULAW_BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (value & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (value >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    public static short decodeUlaw(byte code) {
        return ULAW_TO_LINEAR[code & 0xFF];
    }

    public static byte encodeAlaw(short sample) {
        int value = sample;
        int sign = value >= 0 ? 0x80 : 0;
        if (value < 0) {
            value = -value - 1;
        }
        value = Math.min(value, 32767) >> 3;
        int exponent = 0;
        for (int limit = 0x20; value >= limit && exponent < 7; limit <<= 1) {
            exponent++;
        }
        int mantissa = exponent == 0 ? (value >> 1) & 0x0F : (value >> exponent) & 0x0F;
        return (byte) ((sign | (exponent << 4) | mantissa) ^ 0x55);
    }

    public static short decodeAlaw(byte code) {
        return ALAW_TO_LINEAR[code & 0xFF];
    }

    private static short ulawToLinear(int code) {
        int value = ~code & 0xFF;
        int exponent = (value >> 4) & 0x07;
        int magnitude = (((value & 0x0F) << 3) + ULAW_BIAS) << exponent;
        return (short) ((value & 0x80) != 0 ? ULAW_BIAS - magnitude : magnitude - ULAW_BIAS);
    }

    private static short alawToLinear(int code) {
        int value = code ^ 0x55;
        int exponent = (value >> 4) & 0x07;
        int mantissa = value & 0x0F;
        int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (short) ((value & 0x80) != 0 ? magnitude : -magnitude);
    }
}
