package io.dialtone.gateway.sip;

import gov.nist.javax.sip.header.ExtensionHeaderImpl;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import io.dialtone.gateway.log.LogBudget;
import io.dialtone.gateway.peers.Peer;
import io.dialtone.gateway.peers.Peers;
import io.dialtone.gateway.stats.CallStats;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.header.ExtensionHeader;
import javax.sip.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each SIP message over UDP to the gateway of the fleet that owns its call, wherever the load balancer delivered
 * it (docs/architecture.md, "Calls find their pod"). A request for another gateway's call is relayed as a stateless
 * proxy relays (RFC 3261 16.11): with a Via on top whose branch and sent-by are the same whichever gateway relays (so a
 * retransmission, a CANCEL or a non-2xx ACK that comes through another gateway meets the same transaction; one that
 * comes through the same gateway goes where the first went, {@link NewCallOwners}), and with the caller's address in
 * {@value #RELAY_HEADER}, signed with a key every gateway of the fleet derives from its LiveKit secret, so the owner
 * applies the trunks' source rules to the caller and not to the relay. The owner answers the gateway that relayed (the
 * relay Via asks for rport), which takes its Via off and sends the response to the caller from the address the caller
 * sent to, an INVITE's answers in the order the owner sent them ({@link RelayedAnswers}). A response to a request a
 * gateway sent itself goes to that gateway. Nothing is relayed to an address a message names: requests go to peers,
 * responses to the caller's address that a peer's signed branch vouches for. TCP and TLS requests stay where their
 * connection is.
 */
final class DialogRouter {
    private static final Logger LOG = LoggerFactory.getLogger(DialogRouter.class);
    static final String RELAY_HEADER = "X-Dialtone-Relay";
    /** The relay Via's sent-by: one for the whole fleet, never looked up (the owner answers by received and rport). */
    static final String RELAY_HOST = "relay.dialtone.invalid";
    private static final String RELAY_BRANCH = "z9hG4bKr.";

    /** What the valve does with a message. */
    enum Verdict {
        /** This gateway handles it. */
        HERE,
        /** Sent on to its owner, or dropped: the stack never sees it. */
        GONE
    }

    private final Supplier<Peers> peers;
    private final Predicate<String> holds;
    private final Supplier<String> secret;
    private final CallStats stats;
    private final LogBudget refusedLog = LogBudget.perSecond(1);
    private final RelayedAnswers inviteAnswers = new RelayedAnswers();
    private final NewCallOwners newCallOwners = new NewCallOwners();
    /** The relay key of the secret in force, derived again when a routing revision rotates the secret. */
    private volatile Keyed keyed;

    private record Keyed(String secret, byte[] key) {
    }

    /**
     * @param holds  whether this gateway holds a call with this Call-ID
     * @param secret the fleet's shared LiveKit API secret in force, from which the relay key is derived
     */
    DialogRouter(Supplier<Peers> peers, Predicate<String> holds, Supplier<String> secret, CallStats stats) {
        this.peers = peers;
        this.holds = holds;
        this.secret = secret;
        this.stats = stats;
    }

    /**
     * A request as it arrives. One relayed by a peer is checked and given back its caller's address, then judged by
     * {@code admits} as the caller's. One from outside for a call another gateway holds (its To tag says whose) is
     * relayed at once: that gateway holds the call, so it is the one to judge it. Any other is judged here first, so
     * a stranger's INVITE costs the fleet nothing, and a new call is then relayed to the gateway it belongs to.
     */
    Verdict request(SIPRequest request, MessageChannel channel, BiPredicate<SIPRequest, InetAddress> admits) {
        InetAddress source = channel.getPeerPacketSourceAddress();
        Header relayed = request.getHeader(RELAY_HEADER);
        if (relayed != null) {
            return trusted(request, relayed, source) && admits.test(request, request.getRemoteAddress())
                    ? Verdict.HERE : Verdict.GONE;
        }
        Peers fleet = peers.get();
        boolean relayable = source != null && !fleet.alone() && "UDP".equalsIgnoreCase(channel.getTransport())
                && fleet.byId(fleet.selfId()).isPresent() && !holds.test(request.getCallId().getCallId());
        String toTag = request.getToTag();
        if (relayable && toTag != null) {
            Optional<Peer> owner = OwnerMarks.tagOwner(toTag).flatMap(fleet::byId).filter(peer -> !self(fleet, peer));
            if (owner.isPresent()) {
                relay(request, channel, owner.get(), source);
                return Verdict.GONE;
            }
        }
        if (source != null && !admits.test(request, source)) {
            return Verdict.GONE;
        }
        if (relayable && toTag == null) {
            String callId = request.getCallId().getCallId();
            Optional<Peer> owner = newCallOwners.ownerOf(callId).flatMap(fleet::byId)
                    .or(() -> fleet.ownerOfNewCall(callId)).filter(peer -> !self(fleet, peer));
            if (owner.isPresent()) {
                newCallOwners.relayed(callId, owner.get().id());
                relay(request, channel, owner.get(), source);
                return Verdict.GONE;
            }
        }
        return Verdict.HERE;
    }

    /**
     * A response as it arrives: the owner's answer to a request this gateway relayed goes back to the caller; an
     * answer to another gateway's own request goes to that gateway.
     */
    Verdict response(SIPResponse response, MessageChannel channel) {
        Peers fleet = peers.get();
        Via top = response.getTopmostVia();
        if (fleet.alone() || top == null || !"UDP".equalsIgnoreCase(channel.getTransport())) {
            return Verdict.HERE;
        }
        String branch = String.valueOf(top.getBranch());
        if (branch.startsWith(RELAY_BRANCH)) {
            InetAddress source = channel.getPeerPacketSourceAddress();
            if (source != null && fleet.isPeer(source)) {
                backToCaller(response, channel, branch);
            } else {
                refused("a response to a relayed request not from a peer", response.getCallId().getCallId(),
                        source, response.getCSeq().getMethod());
            }
            return Verdict.GONE;
        }
        Optional<Peer> owner = OwnerMarks.branchOwner(branch).flatMap(fleet::byId)
                .filter(peer -> !self(fleet, peer));
        if (owner.isEmpty()) {
            return Verdict.HERE;
        }
        send(response, channel, owner.get().sip().getAddress(), owner.get().sip().getPort());
        stats.relayed("response", response.getCSeq().getMethod());
        return Verdict.GONE;
    }

    private static boolean self(Peers fleet, Peer peer) {
        return peer.id().equals(fleet.selfId());
    }

    /** Whether a relayed request comes from a peer with a signature that holds; it then carries its caller's address. */
    private boolean trusted(SIPRequest request, Header relayed, InetAddress source) {
        request.removeHeader(RELAY_HEADER);
        String[] fields = ((ExtensionHeader) relayed).getValue().trim().split(" ");
        Via relay = request.getTopmostVia();
        if (fields.length != 3 || relay == null || source == null || !peers.get().isPeer(source)
                || !MessageDigest.isEqual(fields[2].getBytes(StandardCharsets.US_ASCII),
                        signature(fields[0], fields[1], request, relay.getBranch())
                                .getBytes(StandardCharsets.US_ASCII))) {
            refused("not from a peer, or its signature does not hold (do the gateways share the LiveKit secret?)",
                    request.getCallId().getCallId(), source, request.getMethod());
            return false;
        }
        try {
            // Written by a peer, checked above: an address literal and a port, nothing to look up.
            InetAddress caller = InetAddress.getByName(fields[0]);
            int port = Integer.parseInt(fields[1]);
            request.setRemoteAddress(caller);
            request.setRemotePort(port);
            request.setPeerPacketSourceAddress(caller);
            request.setPeerPacketSourcePort(port);
            return true;
        } catch (java.io.IOException | NumberFormatException e) {
            return false;
        }
    }

    private void relay(SIPRequest request, MessageChannel channel, Peer owner, InetAddress source) {
        int sourcePort = channel.getPeerPacketSourcePort();
        String address = source.getHostAddress();
        try {
            Via callers = request.getTopmostVia();
            // As the caller's server would (RFC 3261 18.2.1, RFC 3581): where the response must go back to.
            callers.setReceived(address);
            if (callers.hasParameter(Via.RPORT)) {
                callers.setParameter(Via.RPORT, String.valueOf(sourcePort));
            }
            Via relay = new Via();
            relay.setSentProtocol(new gov.nist.javax.sip.header.Protocol());
            relay.setTransport("UDP");
            relay.setHost(RELAY_HOST);
            relay.setPort(5060);
            String branch = relayBranch(String.valueOf(callers.getBranch()), address);
            relay.setBranch(branch);
            relay.setRPort();
            request.addFirst(relay);
            ExtensionHeaderImpl signed = new ExtensionHeaderImpl(RELAY_HEADER);
            signed.setValue(address + " " + sourcePort + " "
                    + signature(address, String.valueOf(sourcePort), request, branch));
            request.addHeader(signed);
        } catch (java.text.ParseException | javax.sip.SipException | javax.sip.InvalidArgumentException e) {
            LOG.warn("event=relay_failed call={} error=\"{}\"", request.getCallId().getCallId(), e.toString());
            return;
        }
        LOG.debug("event=relayed method={} call={} to={}", request.getMethod(), request.getCallId().getCallId(),
                owner.name());
        send(request, channel, owner.sip().getAddress(), owner.sip().getPort());
        stats.relayed("request", request.getMethod());
    }

    /**
     * The owner's response to a relayed request: without the relay Via, to the caller's address under it, which the
     * relay branch must vouch for (a branch only a gateway holding the key can make for that address).
     */
    private void backToCaller(SIPResponse response, MessageChannel channel, String branch) {
        response.removeFirst(Via.NAME);
        Via callers = response.getTopmostVia();
        String received = callers == null ? null : callers.getReceived();
        if (received == null || !MessageDigest.isEqual(branch.getBytes(StandardCharsets.US_ASCII),
                relayBranch(String.valueOf(callers.getBranch()), received).getBytes(StandardCharsets.US_ASCII))) {
            refused("a relay branch no gateway of the fleet made for its caller", response.getCallId().getCallId(),
                    channel.getPeerPacketSourceAddress(), response.getCSeq().getMethod());
            return;
        }
        try {
            int port = callers.getRPort() > 0 ? callers.getRPort() : callers.getPort() > 0 ? callers.getPort() : 5060;
            InetAddress caller = InetAddress.getByName(received);
            if (!"INVITE".equals(response.getCSeq().getMethod())) {
                send(response, channel, caller, port);
            } else if (inviteAnswers.pass(branch, response.getStatusCode(),
                    () -> send(response, channel, caller, port)) == RelayedAnswers.Order.LATE) {
                LOG.debug("event=relay_dropped_late status={} call={}", response.getStatusCode(),
                        response.getCallId().getCallId());
            }
        } catch (java.net.UnknownHostException e) {
            LOG.debug("a relayed response's Via has no usable received: {}", e.toString());
        }
    }

    /** The relay Via's branch: the same from every gateway for one caller's branch, and made only with the key. */
    private String relayBranch(String callersBranch, String callerAddress) {
        return RELAY_BRANCH + HexFormat.of().formatHex(hmac(key(), "branch\n" + callersBranch + "\n" + callerAddress),
                0, 12);
    }

    private String signature(String address, String port, SIPRequest request, String branch) {
        byte[] mac = hmac(key(), address + "\n" + port + "\n" + request.getCallId().getCallId() + "\n" + branch);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac).substring(0, 22);
    }

    private void send(SIPMessage message, MessageChannel channel, InetAddress to, int port) {
        try {
            channel.sendMessage(message, to, port);
        } catch (java.io.IOException e) {
            LOG.warn("event=relay_failed message=\"{}\" to={}:{} error=\"{}\"", message.getFirstLine().trim(),
                    to.getHostAddress(), port, e.toString());
        }
    }

    private void refused(String why, String callId, InetAddress source, String method) {
        refusedLog.take().ifPresent(line -> LOG.warn("event=relay_refused call={} from={} why=\"{}\"{}", callId,
                source, why, line.suppressed() > 0 ? " suppressed=" + line.suppressed() : ""));
        stats.relayed("refused", method);
    }

    private byte[] key() {
        String now = secret.get();
        Keyed current = keyed;
        if (current == null || !current.secret().equals(now)) {
            current = new Keyed(now, hmac(now.getBytes(StandardCharsets.UTF_8), "dialtone relay key"));
            keyed = current;
        }
        return current.key();
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
