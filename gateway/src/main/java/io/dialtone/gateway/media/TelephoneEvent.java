package io.dialtone.gateway.media;

/**
 * An RFC 4733 telephone-event payload: the event (0-9, 10 = *, 11 = #, 12-15 = A-D), whether this packet ends
 * it, its volume (dBm0 below 0) and its duration so far in timestamp units.
 */
public record TelephoneEvent(int event, boolean end, int volume, int duration) {
    private static final String DIGITS = "0123456789*#ABCD";

    public TelephoneEvent {
        if (event < 0 || event > 255) {
            throw new IllegalArgumentException("event " + event + " is outside 0-255");
        }
        if (volume < 0 || volume > 63) {
            throw new IllegalArgumentException("volume " + volume + " is outside 0-63");
        }
        if (duration < 0 || duration > 0xFFFF) {
            throw new IllegalArgumentException("duration " + duration + " is outside 0-65535");
        }
    }

    /** @throws IllegalArgumentException for a payload shorter than the 4 bytes RFC 4733 defines */
    public static TelephoneEvent parse(byte[] payload) {
        if (payload.length < 4) {
            throw new IllegalArgumentException("a telephone-event payload has 4 bytes, this one " + payload.length);
        }
        return new TelephoneEvent(payload[0] & 0xFF, (payload[1] & 0x80) != 0, payload[1] & 0x3F,
                ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF));
    }

    public static TelephoneEvent ofDigit(char digit, boolean end, int volume, int duration) {
        return new TelephoneEvent(code(digit), end, volume, duration);
    }

    /** The RFC 4733 event code of a DTMF digit, which LiveKit's SipDTMF carries too. */
    public static int code(char digit) {
        int event = DIGITS.indexOf(Character.toUpperCase(digit));
        if (event < 0) {
            throw new IllegalArgumentException("'" + digit + "' is not a DTMF digit (0-9, *, #, A-D)");
        }
        return event;
    }

    public byte[] toPayload() {
        return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | volume), (byte) (duration >> 8), (byte) duration};
    }

    /** The DTMF digit, or 0 for events that are not DTMF (tones such as fax CNG). */
    public char digit() {
        return event < DIGITS.length() ? DIGITS.charAt(event) : 0;
    }
}
