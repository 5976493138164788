package io.dialtone.gateway.sip;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import io.dialtone.gateway.log.LogBudget;
import io.dialtone.gateway.peers.Peer;
import io.dialtone.gateway.peers.Peers;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each SIP message over UDP to the gateway of the fleet that owns its call, wherever the load balancer
 * delivered it (docs/architecture.md, "Calls find their pod"). A request for another gateway's call is relayed as a
 * stateless proxy relays (RFC 3261 16.11): with a Via of this gateway on top, so the owner's response comes back here
 * and leaves from the address the caller sent to, and with the caller's address in {@value #RELAY_HEADER}, signed
 * with a key every gateway of the fleet derives from its LiveKit secret, so the owner applies the trunks' source rules
 * to the caller and not to the relay. A response to a request another gateway sent goes to that gateway. Requests
 * on TCP and TLS stay where their connection is: a connection lands on one gateway and carries the call's requests.
 */
final class DialogRouter {
    private static final Logger LOG = LoggerFactory.getLogger(DialogRouter.class);
    static final String RELAY_HEADER = "X-Dialtone-Relay";

    /** What the valve does with a message. */
    enum Verdict {
        /** This gateway handles it. */
        HERE,
        /** Sent on to its owner, or dropped: the stack never sees it. */
        GONE
    }

    private final Supplier<Peers> peers;
    private final Predicate<String> holds;
    private final io.dialtone.gateway.stats.CallStats stats;
    private final byte[] key;
    private final LogBudget refusedLog = LogBudget.perSecond(1);

    /**
     * @param holds whether this gateway holds a call with this Call-ID
     * @param secret the fleet's shared LiveKit API secret, from which the relay key is derived
     */
    DialogRouter(Supplier<Peers> peers, Predicate<String> holds, String secret,
                 io.dialtone.gateway.stats.CallStats stats) {
        this.peers = peers;
        this.holds = holds;
        this.stats = stats;
        this.key = hmac(secret.getBytes(StandardCharsets.UTF_8), "dialtone relay key");
    }

    Verdict request(SIPRequest request, MessageChannel channel) {
        InetAddress source = channel.getPeerPacketSourceAddress();
        int sourcePort = channel.getPeerPacketSourcePort();
        Header relayed = request.getHeader(RELAY_HEADER);
        if (relayed != null) {
            return relayedToUs(request, relayed, source);
        }
        Peers fleet = peers.get();
        if (fleet.alone() || !"UDP".equalsIgnoreCase(channel.getTransport()) || source == null) {
            return Verdict.HERE;
        }
        String callId = request.getCallId().getCallId();
        if (holds.test(callId)) {
            return Verdict.HERE;
        }
        String toTag = request.getToTag();
        Optional<Peer> owner = toTag != null
                ? OwnerMarks.tagOwner(toTag).flatMap(fleet::byId)
                : fleet.ownerOfNewCall(callId);
        if (owner.isEmpty() || owner.get().id().equals(fleet.selfId())) {
            return Verdict.HERE;
        }
        relay(request, channel, owner.get(), fleet, source, sourcePort);
        return Verdict.GONE;
    }

    Verdict response(SIPResponse response, MessageChannel channel) {
        Via top = response.getTopmostVia();
        if (top == null) {
            return Verdict.HERE;
        }
        Peers fleet = peers.get();
        Optional<String> relay = OwnerMarks.relayOwner(top.getBranch());
        if (relay.isPresent() && relay.get().equals(fleet.selfId())) {
            backToCaller(response, channel);
            return Verdict.GONE;
        }
        Optional<Peer> owner = relay.or(() -> OwnerMarks.branchOwner(top.getBranch())).flatMap(fleet::byId);
        if (owner.isEmpty() || owner.get().id().equals(fleet.selfId())) {
            return Verdict.HERE;
        }
        send(response, channel, owner.get().sip().getAddress(), owner.get().sip().getPort(), "response");
        stats.relayed("response", response.getCSeq().getMethod());
        return Verdict.GONE;
    }

    /** A request a peer relayed: handled as if it came from the caller, when its signature holds. */
    private Verdict relayedToUs(SIPRequest request, Header relayed, InetAddress source) {
        request.removeHeader(RELAY_HEADER);
        String[] fields = ((javax.sip.header.ExtensionHeader) relayed).getValue().trim().split(" ");
        Via relay = request.getTopmostVia();
        if (fields.length != 3 || relay == null || source == null || !peers.get().isPeer(source)
                || !MessageDigest.isEqual(fields[2].getBytes(StandardCharsets.US_ASCII),
                        signature(fields[0], fields[1], request, relay.getBranch()).getBytes(StandardCharsets.US_ASCII))) {
            refusedLog.take().ifPresent(line -> LOG.warn("event=relay_refused call={} from={} why=\"not from a peer, "
                            + "or its signature does not hold (do the gateways share the LiveKit secret?)\"{}",
                    request.getCallId().getCallId(), source, line.suppressed() > 0
                            ? " suppressed=" + line.suppressed() : ""));
            stats.relayed("refused", request.getMethod());
            return Verdict.GONE;
        }
        try {
            InetAddress caller = InetAddress.getByName(fields[0]);
            request.setRemoteAddress(caller);
            request.setRemotePort(Integer.parseInt(fields[1]));
            request.setPeerPacketSourceAddress(caller);
            request.setPeerPacketSourcePort(Integer.parseInt(fields[1]));
            return Verdict.HERE;
        } catch (java.io.IOException | NumberFormatException e) {
            return Verdict.GONE;
        }
    }

    private void relay(SIPRequest request, MessageChannel channel, Peer owner, Peers fleet, InetAddress source,
                       int sourcePort) {
        try {
            Via callers = request.getTopmostVia();
            // As the caller's server would (RFC 3261 18.2.1, RFC 3581): where the response must go back to.
            callers.setReceived(source.getHostAddress());
            if (callers.hasParameter("rport")) {
                callers.setParameter("rport", String.valueOf(sourcePort));
            }
            Via relay = new Via();
            relay.setSentProtocol(new gov.nist.javax.sip.header.Protocol());
            relay.setTransport("UDP");
            relay.setHost(channel.getHost());
            relay.setPort(channel.getPort());
            String branch = OwnerMarks.relayBranch(fleet.selfId(), String.valueOf(callers.getBranch()),
                    source.getHostAddress() + ":" + sourcePort);
            relay.setBranch(branch);
            request.addFirst(relay);
            String address = source.getHostAddress();
            gov.nist.javax.sip.header.ExtensionHeaderImpl signed =
                    new gov.nist.javax.sip.header.ExtensionHeaderImpl(RELAY_HEADER);
            signed.setValue(address + " " + sourcePort + " "
                    + signature(address, String.valueOf(sourcePort), request, branch));
            request.addHeader(signed);
            LOG.debug("event=relayed method={} call={} to={}", request.getMethod(), request.getCallId().getCallId(),
                    owner.name());
            send(request, channel, owner.sip().getAddress(), owner.sip().getPort(), "request");
            stats.relayed("request", request.getMethod());
        } catch (java.text.ParseException | javax.sip.SipException | javax.sip.InvalidArgumentException e) {
            LOG.warn("event=relay_failed call={} error=\"{}\"", request.getCallId().getCallId(), e.toString());
        }
    }

    /** The owner's response to a request this gateway relayed: without our Via, to where the caller sent from. */
    private void backToCaller(SIPResponse response, MessageChannel channel) {
        response.removeFirst(Via.NAME);
        Via callers = response.getTopmostVia();
        if (callers == null || callers.getReceived() == null) {
            return;
        }
        try {
            int port = callers.getRPort() > 0 ? callers.getRPort() : callers.getPort() > 0 ? callers.getPort() : 5060;
            // received is an address this gateway wrote, never a name to look up.
            send(response, channel, InetAddress.getByName(callers.getReceived()), port, "response");
        } catch (java.net.UnknownHostException e) {
            LOG.debug("a relayed response's Via has no usable received: {}", e.toString());
        }
    }

    private void send(gov.nist.javax.sip.message.SIPMessage message, MessageChannel channel, InetAddress to, int port,
                      String what) {
        try {
            channel.sendMessage(message, to, port);
        } catch (java.io.IOException e) {
            LOG.warn("event=relay_failed {}={} to={}:{} error=\"{}\"", what, message.getFirstLine().trim(),
                    to.getHostAddress(), port, e.toString());
        }
    }

    private String signature(String address, String port, SIPRequest request, String branch) {
        byte[] mac = hmac(key, address + "\n" + port + "\n" + request.getCallId().getCallId() + "\n" + branch);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac).substring(0, 22);
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
