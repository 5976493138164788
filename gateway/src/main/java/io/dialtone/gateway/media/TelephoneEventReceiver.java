package io.dialtone.gateway.media;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the packets of RFC 4733 events into digits, each once. An event spans many packets with one RTP timestamp
 * and its end packet is sent three times: a digit is reported when its event is first seen ending, or, when all
 * its end packets were lost, when the next event starts.
 */
public final class TelephoneEventReceiver {
    private long currentTimestamp = -1;
    private char currentDigit;
    private boolean reported;

    /** @return the digits this packet completes, in order (usually none or one) */
    public List<Character> receive(RtpPacket packet) {
        TelephoneEvent event;
        try {
            event = TelephoneEvent.parse(packet.payload());
        } catch (IllegalArgumentException truncated) {
            return List.of();
        }
        List<Character> digits = new ArrayList<>(2);
        if (packet.timestamp() != currentTimestamp) {
            if (!reported && currentDigit != 0) {
                digits.add(currentDigit);
            }
            currentTimestamp = packet.timestamp();
            currentDigit = event.digit();
            reported = false;
        }
        if (!reported && event.end() && currentDigit != 0) {
            reported = true;
            digits.add(currentDigit);
        }
        return digits;
    }
}
