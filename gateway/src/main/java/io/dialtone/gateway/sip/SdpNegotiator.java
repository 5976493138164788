package io.dialtone.gateway.sip;

import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.api.v1alpha1.MediaEncryption;
import io.dialtone.gateway.media.SrtpKeys;
import io.dialtone.gateway.media.SrtpSuite;
import io.dialtone.routing.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SDP offer/answer for the phone side: the first audio codec of the caller's offer that the trunk and gateway
 * accept (the caller's order wins), telephone-event when offered, the caller's ptime, and the direction mirrored
 * for hold and resume. The caller's media address must be an IP literal (a host name would make the media clock
 * wait for DNS) and unicast, its port 1 to 65535, and it may be a loopback address only for a caller on this host
 * (else a stranger could aim the gateway's audio at its own local services): anything else is refused, never sent
 * to. SRTP is keyed by SDES (RFC 4568) as the trunk's media.encryption says: disable answers plain RTP only, allow
 * takes SRTP when the caller offers it, require refuses an offer without it.
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

    /**
     * The agreed media of a call; {@code remote} is where the caller wants its audio; {@code profile} is the offer's
     * (RTP/AVP or RTP/SAVP), answered as it came; {@code srtp} the SDES keys when the call is encrypted.
     */
    public record Negotiated(Codec codec, int payloadType, Integer telephoneEvent, int ptime, InetSocketAddress remote,
                             Direction offered, String profile, Optional<SrtpKeys> srtp) {
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
                    .append("m=audio ").append(port).append(' ').append(profile).append(' ').append(payloadType);
            if (telephoneEvent != null) {
                sdp.append(' ').append(telephoneEvent);
            }
            sdp.append("\r\n")
                    .append("a=rtpmap:").append(payloadType).append(' ').append(rtpmap(codec)).append("\r\n");
            if (telephoneEvent != null) {
                sdp.append("a=rtpmap:").append(telephoneEvent).append(" telephone-event/8000\r\n")
                        .append("a=fmtp:").append(telephoneEvent).append(" 0-16\r\n");
            }
            srtp.ifPresent(keys -> sdp.append("a=crypto:").append(keys.tag()).append(' ').append(keys.suite().name())
                    .append(" inline:").append(Base64.getEncoder().encodeToString(keys.local())).append("\r\n"));
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
    private final MediaEncryption encryption;
    private final byte[] localKey;

    /** An offer from a trunk without SRTP ({@code media.encryption: disable}). */
    public SdpNegotiator(List<Codec> accepted, InetAddress caller) {
        this(accepted, caller, MediaEncryption.disable, new byte[SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES]);
    }

    /**
     * @param caller     where the offer's signalling came from
     * @param encryption the trunk's media.encryption
     * @param localKey   the master key and salt the gateway sends with if the call is encrypted (30 random bytes,
     *                   kept for the call's re-offers)
     */
    public SdpNegotiator(List<Codec> accepted, InetAddress caller, MediaEncryption encryption, byte[] localKey) {
        this.accepted = List.copyOf(accepted);
        this.caller = caller;
        this.encryption = encryption;
        this.localKey = localKey.clone();
    }

    /** A fresh master key and salt for a call's SRTP. */
    public static byte[] newLocalKey() {
        byte[] key = new byte[SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES];
        KEYS.nextBytes(key);
        return key;
    }

    private static final java.security.SecureRandom KEYS = new java.security.SecureRandom();

    public Negotiated negotiate(String offer) throws NegotiationException {
        Offer parsed = Offer.parse(offer);
        Offer.Media audio = parsed.media().stream()
                .filter(m -> m.type().equalsIgnoreCase("audio") && m.port() != 0).findFirst()
                .orElseThrow(() -> new NegotiationException("the SDP offer has no audio stream",
                        Reason.NO_COMMON_CODEC));
        try {
            Map<Integer, String> rtpmaps = new HashMap<>();
            List<String> cryptos = new ArrayList<>();
            Integer ptime = null;
            Direction direction = Direction.sendrecv;
            List<String> attributes = new ArrayList<>(parsed.attributes());
            attributes.addAll(audio.attributes());
            // Session-level attributes first, then media-level ones, which override them.
            for (String attribute : attributes) {
                int colon = attribute.indexOf(':');
                String name = (colon < 0 ? attribute : attribute.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : attribute.substring(colon + 1);
                switch (name) {
                    case "rtpmap" -> {
                        int space = value.indexOf(' ');
                        rtpmaps.put(Integer.parseInt(value.substring(0, space).trim()), value.substring(space + 1).trim());
                    }
                    case "ptime" -> ptime = Integer.parseInt(value.trim());
                    case "crypto" -> cryptos.add(value.trim());
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
            for (String format : audio.formats()) {
                int type = Integer.parseInt(format);
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
            InetAddress address = unicast(audio.connection().or(parsed::connection).orElse(null));
            if (address.isLoopbackAddress() && !caller.isLoopbackAddress()) {
                throw new NegotiationException("the SDP offer's connection address is a loopback address, and the "
                        + "caller is not on this host", Reason.UNUSABLE_OFFER);
            }
            if (address.isAnyLocalAddress()) {
                // c=0.0.0.0 is the old way (RFC 2543) of putting the call on hold.
                direction = Direction.sendonly;
            }
            if (audio.port() < 1 || audio.port() > 65535) {
                throw new NegotiationException("the SDP offer's audio port " + audio.port() + " is not 1 to 65535",
                        Reason.UNUSABLE_OFFER);
            }
            Optional<SrtpKeys> srtp = srtp(audio.protocol(), cryptos);
            return new Negotiated(chosen, chosenType, telephoneEvent, ptime == null ? 20 : ptime,
                    new InetSocketAddress(address, audio.port()), direction,
                    audio.protocol().toUpperCase(Locale.ROOT), srtp);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new NegotiationException("the SDP offer is malformed: " + e.getMessage(), Reason.UNUSABLE_OFFER);
        }
    }

    /**
     * An SDP offer's lines as RFC 4566 lays them out, read here rather than by the SIP stack's SDP library: that one
     * prints a stack trace to standard error for every line it cannot parse, which would let any admitted source
     * fill the gateway's output, and needs only what the answer uses.
     */
    private record Offer(Optional<String> connection, List<String> attributes, List<Media> media) {
        private static final Pattern LINE = Pattern.compile("([a-z])=(.*)");
        private static final Pattern MEDIA = Pattern.compile("(\\S+) (\\d{1,9})(?:/\\d{1,9})? (\\S+)((?: \\S+)*)\\s*");

        /** One m= section: its type, port, transport profile, formats, and what follows it up to the next m=. */
        record Media(String type, int port, String protocol, List<String> formats, Optional<String> connection,
                     List<String> attributes) {
        }

        static Offer parse(String text) throws NegotiationException {
            String[] lines = text.strip().split("\\r?\\n");
            if (!lines[0].strip().equals("v=0")) {
                throw new NegotiationException("the body is not an SDP offer: it does not start with v=0",
                        Reason.UNUSABLE_OFFER);
            }
            Optional<String> connection = Optional.empty();
            List<String> attributes = new ArrayList<>();
            List<Media> media = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                java.util.regex.Matcher line = LINE.matcher(lines[i].strip());
                if (lines[i].isBlank()) {
                    continue;
                }
                if (!line.matches()) {
                    throw new NegotiationException("line " + (i + 1) + " of the SDP offer is not <type>=<value>",
                            Reason.UNUSABLE_OFFER);
                }
                String value = line.group(2);
                Media current = media.isEmpty() ? null : media.get(media.size() - 1);
                switch (line.group(1)) {
                    case "m" -> media.add(media(value, i));
                    case "c" -> {
                        if (current == null) {
                            connection = Optional.of(address(value, i));
                        } else {
                            media.set(media.size() - 1, new Media(current.type(), current.port(), current.protocol(),
                                    current.formats(), Optional.of(address(value, i)), current.attributes()));
                        }
                    }
                    case "a" -> (current == null ? attributes : current.attributes()).add(value);
                    default -> {
                        // o=, s=, t=, b= and the rest do not change the answer
                    }
                }
            }
            return new Offer(connection, attributes, media);
        }

        private static Media media(String value, int index) throws NegotiationException {
            java.util.regex.Matcher m = MEDIA.matcher(value);
            if (!m.matches()) {
                throw new NegotiationException("line " + (index + 1) + " of the SDP offer is not m=<media> <port> "
                        + "<proto> <formats>", Reason.UNUSABLE_OFFER);
            }
            List<String> formats = m.group(4).isBlank() ? List.of() : List.of(m.group(4).strip().split(" +"));
            return new Media(m.group(1), Integer.parseInt(m.group(2)), m.group(3), formats, Optional.empty(),
                    new ArrayList<>());
        }

        /** c=IN IP4 &lt;address&gt;[/ttl]: the address. */
        private static String address(String value, int index) throws NegotiationException {
            String[] fields = value.strip().split(" +");
            if (fields.length != 3 || !fields[0].equals("IN")) {
                throw new NegotiationException("line " + (index + 1) + " of the SDP offer is not c=IN <IP4|IP6> "
                        + "<address>", Reason.UNUSABLE_OFFER);
            }
            int slash = fields[2].indexOf('/');
            return slash < 0 ? fields[2] : fields[2].substring(0, slash);
        }
    }

    /**
     * Whether the call is encrypted, by the trunk's media.encryption and the offer: its profile (RTP/SAVP asks for
     * SRTP; RTP/AVP with a=crypto offers it, as some phones do) and the first a=crypto line the gateway can use.
     */
    private Optional<SrtpKeys> srtp(String profile, List<String> cryptos) throws NegotiationException {
        boolean secure = profile.equalsIgnoreCase("RTP/SAVP");
        if (!secure && !profile.equalsIgnoreCase("RTP/AVP")) {
            throw new NegotiationException("the SDP offer's audio profile '" + profile + "' is neither RTP/AVP nor "
                    + "RTP/SAVP", Reason.UNUSABLE_OFFER);
        }
        if (encryption == MediaEncryption.disable) {
            if (secure) {
                throw new NegotiationException("the offer asks for SRTP (RTP/SAVP) and this trunk has "
                        + "media.encryption: disable", Reason.NO_COMMON_CRYPTO);
            }
            return Optional.empty();
        }
        Optional<SrtpKeys> keys = cryptos.stream().map(this::usable).flatMap(Optional::stream).findFirst();
        if (keys.isPresent()) {
            return keys;
        }
        if (secure || !cryptos.isEmpty() && encryption == MediaEncryption.require) {
            throw new NegotiationException("no a=crypto line of the offer has AES_CM_128_HMAC_SHA1_80 or _32 with "
                    + "one inline key of 30 bytes (offered: " + cryptos.stream().map(SdpNegotiator::suiteOf).toList()
                    + ")", Reason.NO_COMMON_CRYPTO);
        }
        if (encryption == MediaEncryption.require) {
            throw new NegotiationException("this trunk has media.encryption: require and the offer carries no "
                    + "a=crypto line", Reason.ENCRYPTION_REQUIRED);
        }
        return Optional.empty();
    }

    /** The keys of an a=crypto line (RFC 4568) the gateway can use: a known suite, one inline key, no MKI. */
    private Optional<SrtpKeys> usable(String crypto) {
        String[] fields = crypto.split("\\s+");
        if (fields.length != 3 || !fields[0].matches("\\d{1,9}") || !fields[2].startsWith("inline:")) {
            // A line with session parameters (UNENCRYPTED_SRTP, KDR, ...) asks for what the gateway does not do.
            return Optional.empty();
        }
        Optional<SrtpSuite> suite = SrtpSuite.named(fields[1]);
        // -1: "inline:|" is two empty parts, not none (found by WireFormatFuzzTest).
        String[] key = fields[2].substring("inline:".length()).split("\\|", -1);
        // key|lifetime is fine; key|lifetime|MKI:length, or key|MKI:length, would put MKI bytes in every packet.
        if (suite.isEmpty() || key.length > 2 || key.length == 2 && key[1].contains(":")) {
            return Optional.empty();
        }
        byte[] remote;
        try {
            remote = Base64.getDecoder().decode(key[0]);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        if (remote.length != SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES) {
            return Optional.empty();
        }
        return Optional.of(new SrtpKeys(suite.get(), Integer.parseInt(fields[0]), remote, localKey));
    }

    private static String suiteOf(String crypto) {
        String[] fields = crypto.split("\\s+");
        return fields.length > 1 ? fields[1] : crypto;
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
