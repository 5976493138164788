package io.dialtone.gateway.media;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts what arrives on a call's RTP port: RFC 4733 events become digits, each once for the whole call; the
 * negotiated audio is handed back; anything else, RTP or not, is dropped.
 */
public final class CallerRtp {
    private static final Logger LOG = LoggerFactory.getLogger(CallerRtp.class);

    private final String callId;
    private final TelephoneEventReceiver events = new TelephoneEventReceiver();

    public CallerRtp(String callId) {
        this.callId = callId;
    }

    /**
     * @param eventType the negotiated telephone-event payload type, or null when the caller offered none
     * @return the packet when it carries audio of {@code audioType}, else null
     */
    public synchronized RtpPacket read(ByteBuffer datagram, int audioType, Integer eventType,
                                       Consumer<Character> digits) {
        try {
            RtpPacket packet = RtpPacket.parse(datagram);
            if (eventType != null && packet.payloadType() == eventType) {
                events.receive(packet).forEach(digits);
            } else if (packet.payloadType() == audioType) {
                return packet;
            }
        } catch (RtpPacket.MalformedPacketException notRtp) {
            LOG.debug("call={} dropped a datagram on its RTP port: {}", callId, notRtp.getMessage());
        }
        return null;
    }
}
