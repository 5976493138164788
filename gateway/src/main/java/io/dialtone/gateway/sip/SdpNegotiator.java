package io.dialtone.gateway.sip;

import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.routing.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Vector;
import java.util.regex.Pattern;
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
 * for hold and resume. The caller's media address must be an IP literal (a host name would make the media clock
 * wait for DNS) and unicast, its port 1 to 65535, and it may be a loopback address only for a caller on this host
 * (else a stranger could aim the gateway's audio at its own local services): anything else is refused, never sent
 * to.
 */
public final class SdpNegotiator {
    private static final Map<Integer, Codec> STATIC_TYPES = Map.of(0, Codec.PCMU, 8, Codec.PCMA, 9, Codec.G722);
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Hex groups and colons, perhaps ending in a dotted quad: what InetAddress parses without asking a resolver. */
    private static final Pattern IPV6 = Pattern.compile(
            "(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\\d{1,3}(?:\\.\\d{1,3}){3})");

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

    /** The agreed media of a call; {@code remote} is where the caller wants its audio. */
    public record Negotiated(Codec codec, int payloadType, Integer telephoneEvent, int ptime, InetSocketAddress remote,
                             Direction offered) {
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

    /** Why an offer cannot be answered: {@link Reason#NO_COMMON_CODEC} or {@link Reason#UNUSABLE_OFFER}, both 488. */
    public static final class NegotiationException extends Exception {
        private final Reason reason;

        NegotiationException(String message, Reason reason) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final List<Codec> accepted;
    private final InetAddress caller;

    /** @param caller where the offer's signalling came from */
    public SdpNegotiator(List<Codec> accepted, InetAddress caller) {
        this.accepted = List.copyOf(accepted);
        this.caller = caller;
    }

    public Negotiated negotiate(String offer) throws NegotiationException {
        if (!offer.stripLeading().startsWith("v=0")) {
            throw new NegotiationException("the body is not an SDP offer: it does not start with v=0",
                    Reason.UNUSABLE_OFFER);
        }
        SessionDescription session;
        try {
            session = SdpFactory.getInstance().createSessionDescription(offer);
        } catch (SdpParseException e) {
            throw new NegotiationException("the SDP offer does not parse: " + e.getMessage(), Reason.UNUSABLE_OFFER);
        }
        try {
            MediaDescription audio = audio(session)
                    .orElseThrow(() -> new NegotiationException("the SDP offer has no audio stream",
                            Reason.NO_COMMON_CODEC));
            Map<Integer, String> rtpmaps = new HashMap<>();
            Integer ptime = null;
            Direction direction = Direction.sendrecv;
            for (Attribute attribute : attributes(session.getAttributes(false), audio.getAttributes(false))) {
                // The SDP library gives null for a missing name or value ("a=rtpmap"): such lines say nothing.
                String name = attribute.getName() == null ? "" : attribute.getName().toLowerCase(Locale.ROOT);
                String value = attribute.getValue() == null ? "" : attribute.getValue();
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
            // An m= line with no formats gives null, not an empty list (found by WireFormatFuzzTest).
            Vector<?> formats = audio.getMedia().getMediaFormats(false);
            for (Object format : formats == null ? new Vector<>() : formats) {
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
                        + accepted, Reason.NO_COMMON_CODEC);
            }
            Connection connection = audio.getConnection() != null ? audio.getConnection() : session.getConnection();
            InetAddress address = unicast(connection == null ? null : connection.getAddress());
            if (address.isLoopbackAddress() && !caller.isLoopbackAddress()) {
                throw new NegotiationException("the SDP offer's connection address is a loopback address, and the "
                        + "caller is not on this host", Reason.UNUSABLE_OFFER);
            }
            if (address.isAnyLocalAddress()) {
                // c=0.0.0.0 is the old way (RFC 2543) of putting the call on hold.
                direction = Direction.sendonly;
            }
            int port = audio.getMedia().getMediaPort();
            if (port < 1 || port > 65535) {
                throw new NegotiationException("the SDP offer's audio port " + port + " is not 1 to 65535",
                        Reason.UNUSABLE_OFFER);
            }
            return new Negotiated(chosen, chosenType, telephoneEvent, ptime == null ? 20 : ptime,
                    new InetSocketAddress(address, port), direction);
        } catch (SdpException | NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new NegotiationException("the SDP offer is malformed: " + e.getMessage(), Reason.UNUSABLE_OFFER);
        }
    }

    /** The connection address as an IP literal, never looked up: multicast, host names and junk are refused. */
    private static InetAddress unicast(String text) throws NegotiationException {
        if (text == null) {
            throw new NegotiationException("the SDP offer has no connection address (c=) for its audio",
                    Reason.UNUSABLE_OFFER);
        }
        String literal = text.strip();
        java.util.regex.Matcher v4 = IPV4.matcher(literal);
        boolean isV4 = v4.matches() && java.util.stream.IntStream.rangeClosed(1, 4)
                .allMatch(group -> Integer.parseInt(v4.group(group)) <= 255);
        if (!isV4 && !IPV6.matcher(literal).matches()) {
            throw new NegotiationException("the SDP offer's connection address is not an IP address",
                    Reason.UNUSABLE_OFFER);
        }
        InetAddress address;
        try {
            // A literal: getByName parses it and asks no resolver.
            address = InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new NegotiationException("the SDP offer's connection address is not an IP address",
                    Reason.UNUSABLE_OFFER);
        }
        boolean broadcast = address instanceof java.net.Inet4Address
                && java.util.Arrays.equals(address.getAddress(), new byte[] {-1, -1, -1, -1});
        if (address.isMulticastAddress() || broadcast) {
            throw new NegotiationException("the SDP offer's connection address is not unicast", Reason.UNUSABLE_OFFER);
        }
        return address;
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
