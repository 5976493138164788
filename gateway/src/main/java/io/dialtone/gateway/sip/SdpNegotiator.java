package io.dialtone.gateway.sip;

import io.dialtone.api.v1alpha1.Codec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;
import javax.sdp.Attribute;
import javax.sdp.Connection;
import javax.sdp.MediaDescription;
import javax.sdp.SdpException;
import javax.sdp.SdpFactory;
import javax.sdp.SdpParseException;
import javax.sdp.SessionDescription;

/**
 * SDP offer/answer for the phone side: the first audio codec of the caller's offer that the trunk and gateway
 * accept (the caller's order wins), telephone-event when offered, the caller's ptime, and the direction mirrored
 * for hold and resume.
 */
public final class SdpNegotiator {
    private static final Map<Integer, Codec> STATIC_TYPES = Map.of(0, Codec.PCMU, 8, Codec.PCMA, 9, Codec.G722);

    public enum Direction {
        sendrecv, sendonly, recvonly, inactive;

        /** What we answer to an offer with this direction. */
        Direction answer() {
            return switch (this) {
                case sendonly -> recvonly;
                case recvonly -> sendonly;
                default -> this;
            };
        }
    }

    /** The agreed media of a call. */
    public record Negotiated(Codec codec, int payloadType, Integer telephoneEvent, int ptime, String remoteAddress,
                             int remotePort, Direction offered) {
        /** The answer SDP, advertising {@code address}:{@code port}. */
        public String answer(String address, int port, long sessionId, long version) {
            String family = address.contains(":") ? "IP6" : "IP4";
            StringBuilder sdp = new StringBuilder()
                    .append("v=0\r\n")
                    .append("o=dialtone ").append(sessionId).append(' ').append(version).append(" IN ").append(family)
                    .append(' ').append(address).append("\r\n")
                    .append("s=dialtone\r\n")
                    .append("c=IN ").append(family).append(' ').append(address).append("\r\n")
                    .append("t=0 0\r\n")
                    .append("m=audio ").append(port).append(" RTP/AVP ").append(payloadType);
            if (telephoneEvent != null) {
                sdp.append(' ').append(telephoneEvent);
            }
            sdp.append("\r\n")
                    .append("a=rtpmap:").append(payloadType).append(' ').append(rtpmap(codec)).append("\r\n");
            if (telephoneEvent != null) {
                sdp.append("a=rtpmap:").append(telephoneEvent).append(" telephone-event/8000\r\n")
                        .append("a=fmtp:").append(telephoneEvent).append(" 0-16\r\n");
            }
            return sdp.append("a=ptime:").append(ptime).append("\r\n")
                    .append("a=").append(offered.answer()).append("\r\n")
                    .toString();
        }
    }

    /** Why an offer cannot be answered. */
    public static final class NegotiationException extends Exception {
        private final boolean noCommonCodec;

        NegotiationException(String message, boolean noCommonCodec) {
            super(message);
            this.noCommonCodec = noCommonCodec;
        }

        /** True when the offer is fine but shares no codec with us (488); false when it is malformed (400). */
        public boolean noCommonCodec() {
            return noCommonCodec;
        }
    }

    private final List<Codec> accepted;

    public SdpNegotiator(List<Codec> accepted) {
        this.accepted = List.copyOf(accepted);
    }

    public Negotiated negotiate(String offer) throws NegotiationException {
        if (!offer.stripLeading().startsWith("v=0")) {
            throw new NegotiationException("the body is not an SDP offer: it does not start with v=0", false);
        }
        SessionDescription session;
        try {
            session = SdpFactory.getInstance().createSessionDescription(offer);
        } catch (SdpParseException e) {
            throw new NegotiationException("the SDP offer does not parse: " + e.getMessage(), false);
        }
        try {
            MediaDescription audio = audio(session)
                    .orElseThrow(() -> new NegotiationException("the SDP offer has no audio stream", true));
            Map<Integer, String> rtpmaps = new HashMap<>();
            Integer ptime = null;
            Direction direction = Direction.sendrecv;
            for (Attribute attribute : attributes(session.getAttributes(false), audio.getAttributes(false))) {
                String name = attribute.getName().toLowerCase(Locale.ROOT);
                String value = attribute.getValue();
                switch (name) {
                    case "rtpmap" -> {
                        int space = value.indexOf(' ');
                        rtpmaps.put(Integer.parseInt(value.substring(0, space).trim()), value.substring(space + 1).trim());
                    }
                    case "ptime" -> ptime = Integer.parseInt(value.trim());
                    case "sendrecv", "sendonly", "recvonly", "inactive" -> direction = Direction.valueOf(name);
                    default -> {
                        // other attributes do not change the answer
                    }
                }
            }
            Codec chosen = null;
            int chosenType = -1;
            Integer telephoneEvent = null;
            List<String> offered = new ArrayList<>();
            for (Object format : audio.getMedia().getMediaFormats(false)) {
                int type = Integer.parseInt(format.toString().trim());
                String rtpmap = rtpmaps.get(type);
                Codec codec = rtpmap != null ? codecOf(rtpmap) : STATIC_TYPES.get(type);
                offered.add(rtpmap != null ? rtpmap : String.valueOf(type));
                if (rtpmap != null && rtpmap.toLowerCase(Locale.ROOT).startsWith("telephone-event/8000")) {
                    telephoneEvent = telephoneEvent == null ? type : telephoneEvent;
                } else if (chosen == null && codec != null && accepted.contains(codec)) {
                    chosen = codec;
                    chosenType = type;
                }
            }
            if (chosen == null) {
                throw new NegotiationException("no common codec: the caller offered " + offered + ", this trunk accepts "
                        + accepted, true);
            }
            Connection connection = audio.getConnection() != null ? audio.getConnection() : session.getConnection();
            String address = connection == null ? null : connection.getAddress();
            if ("0.0.0.0".equals(address)) {
                direction = Direction.sendonly;
            }
            return new Negotiated(chosen, chosenType, telephoneEvent, ptime == null ? 20 : ptime, address,
                    audio.getMedia().getMediaPort(), direction);
        } catch (SdpException | NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new NegotiationException("the SDP offer is malformed: " + e.getMessage(), false);
        }
    }

    private static Optional<MediaDescription> audio(SessionDescription session) throws SdpException {
        Vector<?> media = session.getMediaDescriptions(false);
        if (media == null) {
            return Optional.empty();
        }
        for (Object item : media) {
            MediaDescription description = (MediaDescription) item;
            if ("audio".equalsIgnoreCase(description.getMedia().getMediaType())
                    && description.getMedia().getMediaPort() != 0) {
                return Optional.of(description);
            }
        }
        return Optional.empty();
    }

    /** Session-level attributes first, then media-level ones, which override them. */
    private static List<Attribute> attributes(Vector<?> session, Vector<?> media) {
        List<Attribute> out = new ArrayList<>();
        for (Vector<?> vector : new Vector<?>[] {session, media}) {
            if (vector != null) {
                vector.forEach(a -> out.add((Attribute) a));
            }
        }
        return out;
    }

    private static Codec codecOf(String rtpmap) {
        String name = rtpmap.toUpperCase(Locale.ROOT);
        for (Codec codec : Set.of(Codec.PCMU, Codec.PCMA, Codec.G722)) {
            if (name.startsWith(codec.name() + "/8000")) {
                return codec;
            }
        }
        return null;
    }

    static String rtpmap(Codec codec) {
        return codec.name() + "/8000";
    }
}
