package io.dialtone.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * sipp scenarios assembled from the steps of a SIP call, so each test states its call flow in a few lines and the
 * message texts exist once. Written to a file and run by {@link Sipp}.
 */
public final class SippScenario {
    private static final String FROM = "From: \"Caller\" <sip:[field0]@carrier.example>;tag=[pid]SIPpTag00[call_number]";
    private static final String TO = "To: <sip:[service]@[remote_ip]:[remote_port]>";
    private static final String COMMON = """
            Call-ID: [call_id]
            Contact: sip:[field0]@[local_ip]:[local_port]
            Max-Forwards: 70""";

    private final StringBuilder steps = new StringBuilder();
    private final String name;
    /** sipp numbers every send, recv and pause; [branch-N] names the branch of the element N places back. */
    private int elements;
    private int lastInvite;
    /**
     * Each request other than INVITE and ACK starts a sipp transaction, and its responses are matched to it by their
     * Via branch, as a user agent matches them. Otherwise sipp takes any response whose CSeq method it sent before:
     * a 200 the gateway retransmits for an INVITE whose ACK is still on its way would pass for the 200 of an INFO or
     * BYE sent after it. INVITEs keep sipp's own matching, under which such a retransmission is answered with the
     * ACK again (an INVITE transaction would need an ACK in every scenario).
     */
    private int transactions;
    /** The transaction of the last request until its final response, or empty (after an INVITE, or once answered). */
    private String lastTransaction = "";

    public SippScenario(String name) {
        this.name = name;
    }

    /** An offer of G.729 only, which no trunk accepts. */
    public SippScenario inviteWithG729Only() {
        lastInvite = elements;
        return send(request("INVITE", "1 INVITE", false, "", offer("sendrecv")
                .replace("RTP/AVP 8 0 101", "RTP/AVP 18").replaceAll("a=rtpmap:(8|0|101)[^\n]*\n", "")
                .replace("a=fmtp:101 0-16\n", "a=rtpmap:18 G729/8000\n")));
    }

    private static String offer(String direction) {
        return """
                v=0
                o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
                s=-
                c=IN IP[media_ip_type] [media_ip]
                t=0 0
                m=audio [media_port] RTP/AVP 8 0 101
                a=rtpmap:8 PCMA/8000
                a=rtpmap:0 PCMU/8000
                a=rtpmap:101 telephone-event/8000
                a=fmtp:101 0-16
                a=ptime:20
                a=%s
                """.formatted(direction);
    }

    /** A request other than ACK, retransmitted until answered. */
    private SippScenario send(String message) {
        if (message.startsWith("INVITE ")) {
            lastTransaction = "";
            return send(message, " retrans=\"500\"");
        }
        lastTransaction = "t" + ++transactions;
        return send(message, " retrans=\"500\" start_txn=\"" + lastTransaction + "\"");
    }

    private SippScenario send(String message, String attributes) {
        elements++;
        steps.append("  <send").append(attributes).append("><![CDATA[\n").append(message.strip())
                .append("\n\n]]></send>\n");
        return this;
    }

    /**
     * The transaction a response answers: the last request's, until its final response. What comes after that is
     * the INVITE's, as a 487 after the CANCEL's 200.
     */
    private String answered(int status) {
        String transaction = lastTransaction;
        if (status >= 200) {
            lastTransaction = "";
        }
        return transaction.isEmpty() ? "" : " response_txn=\"" + transaction + "\"";
    }

    private static String request(String method, String cseq, boolean inDialog, String extraHeaders, String body) {
        return method + " sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
                + "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                + FROM + "\n" + TO + (inDialog ? "[peer_tag_param]" : "") + "\n" + COMMON + "\n"
                + "CSeq: " + cseq + "\n" + extraHeaders
                + (body == null ? "Content-Length: 0\n" : "Content-Type: application/sdp\nContent-Length: [len]\n\n" + body);
    }

    /** INVITE with an offer of PCMA, PCMU and telephone-event; {@code headers} are extra header lines. */
    public SippScenario invite(String headers) {
        lastInvite = elements;
        return send(request("INVITE", "1 INVITE", false, headers, offer("sendrecv")));
    }

    /**
     * INVITE offering only G.722 and telephone-event, with media at {@code port} of the media address, or at sipp's
     * own media port when {@code port} is null.
     */
    public SippScenario inviteWithG722(Integer port) {
        lastInvite = elements;
        String offer = offer("sendrecv").replace("RTP/AVP 8 0 101", "RTP/AVP 9 101")
                .replaceAll("a=rtpmap:(8|0) [^\n]*\n", "").replace("a=rtpmap:101", "a=rtpmap:9 G722/8000\na=rtpmap:101");
        return send(request("INVITE", "1 INVITE", false, "",
                port == null ? offer : offer.replace("m=audio [media_port]", "m=audio " + port)));
    }

    /** INVITE whose offer asks for media at {@code port} of the media address, where the test listens itself. */
    public SippScenario inviteWithMediaAt(int port) {
        lastInvite = elements;
        return send(request("INVITE", "1 INVITE", false, "", offer("sendrecv")
                .replace("m=audio [media_port]", "m=audio " + port)));
    }

    /**
     * INVITE offering only PCMU and telephone-event, with media at {@code port} of the media address: a gateway
     * that takes the first codec it knows then receives the PCMU of {@link RtpPcap#tone} under its own payload type.
     */
    public SippScenario inviteWithPcmuAt(int port) {
        lastInvite = elements;
        String offer = offer("sendrecv").replace("RTP/AVP 8 0 101", "RTP/AVP 0 101").replaceAll("a=rtpmap:8 [^\n]*\n", "");
        return send(request("INVITE", "1 INVITE", false, "", offer.replace("m=audio [media_port]", "m=audio " + port)));
    }

    /** The same INVITE again after a 407, answering the challenge with the [authentication] keyword. */
    public SippScenario inviteWithCredentials(String cseq, String username, String password) {
        lastInvite = elements;
        return send(request("INVITE", cseq + " INVITE", false,
                "[authentication username=" + username + " password=" + password + "]\n", offer("sendrecv")));
    }

    public SippScenario reInvite(String cseq, String direction) {
        lastInvite = elements;
        return send(request("INVITE", cseq + " INVITE", true, "", offer(direction)));
    }

    public SippScenario ack(String cseq) {
        return send(request("ACK", cseq + " ACK", true, "", null), "");
    }

    /** ACK for a non-2xx final response, on the branch of the INVITE it answers (RFC 3261 17.1.1.3). */
    public SippScenario ackRejection(String cseq) {
        return send(request("ACK", cseq + " ACK", true, "", null).replace("branch=[branch]", inviteBranch()), "");
    }

    private String inviteBranch() {
        return "branch=[branch-" + (elements - lastInvite) + "]";
    }

    public SippScenario bye(String cseq) {
        return send(request("BYE", cseq + " BYE", true, "", null));
    }

    public SippScenario cancel() {
        return send(request("CANCEL", "1 CANCEL", false, "", null).replace("branch=[branch]", inviteBranch()));
    }

    /** Any request within the dialog, e.g. INFO with a DTMF body or a method the gateway does not allow. */
    public SippScenario inDialog(String method, String cseq, String contentType, String body) {
        String message = request(method, cseq + " " + method, true, "", null);
        if (body != null) {
            message = message.replace("Content-Length: 0\n", "Content-Type: " + contentType + "\nContent-Length: [len]\n\n" + body);
        }
        return send(message);
    }

    public SippScenario options() {
        return send(request("OPTIONS", "1 OPTIONS", false, "Accept: application/sdp\n", null));
    }

    /** A final or provisional response; a 407 is kept as the challenge [authentication] answers. */
    public SippScenario expect(int status) {
        elements++;
        steps.append("  <recv response=\"").append(status).append("\"").append(answered(status))
                .append(status == 407 ? " auth=\"true\"" : "").append("/>\n");
        return this;
    }

    public SippScenario optional(int status) {
        elements++;
        steps.append("  <recv response=\"").append(status).append("\"").append(answered(status))
                .append(" optional=\"true\"/>\n");
        return this;
    }

    /** A response whose whole text must match {@code regexp} (headers included), e.g. a Reason header. */
    public SippScenario expect(int status, String regexp) {
        elements++;
        steps.append("  <recv response=\"").append(status).append("\"").append(answered(status)).append(" auth=\"")
                .append(status == 407)
                .append("\">").append(matching(regexp));
        return this;
    }

    /** The end of a recv element whose whole message must match {@code regexp}. */
    private static String matching(String regexp) {
        return "<action><ereg regexp=\"" + xmlAttribute(regexp) + "\" search_in=\"msg\" check_it=\"true\" "
                + "assign_to=\"dummy\"/></action></recv>\n  <Reference variables=\"dummy\"/>\n";
    }

    /** A regexp as an XML attribute value. */
    private static String xmlAttribute(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A request from the gateway (a BYE), answered with 200. */
    public SippScenario expectRequestAndAnswer(String method, int timeoutMillis) {
        elements++;
        steps.append("  <recv request=\"").append(method).append("\" timeout=\"").append(timeoutMillis).append("\"/>\n");
        return answerRequest();
    }

    /** A request from the gateway whose whole text must match {@code regexp}, answered with 200. */
    public SippScenario expectRequestAndAnswer(String method, int timeoutMillis, String regexp) {
        elements++;
        steps.append("  <recv request=\"").append(method).append("\" timeout=\"").append(timeoutMillis)
                .append("\">").append(matching(regexp));
        return answerRequest();
    }

    /** The gateway's REFER whose whole text must match {@code regexp}, accepted with 202 (RFC 3515). */
    public SippScenario expectReferAndAccept(int timeoutMillis, String regexp) {
        elements++;
        steps.append("  <recv request=\"REFER\" timeout=\"").append(timeoutMillis).append("\">")
                .append(matching(regexp));
        return answerRequest("202 Accepted");
    }

    /**
     * The caller's NOTIFY of a transfer's progress (RFC 3515): {@code status} is the message/sipfrag status line of
     * its call to the target, e.g. "100 Trying" or "200 OK"; a final one ends the implicit subscription.
     */
    public SippScenario notifyTransfer(String cseq, String status) {
        boolean last = !status.startsWith("1");
        String message = request("NOTIFY", cseq + " NOTIFY", true, "Event: refer\nSubscription-State: "
                + (last ? "terminated;reason=noresource" : "active;expires=60") + "\n", null);
        return send(message.replace("Content-Length: 0\n", "Content-Type: message/sipfrag;version=2.0\n"
                + "Content-Length: [len]\n\nSIP/2.0 " + status + "\n"));
    }

    private SippScenario answerRequest() {
        return answerRequest("200 OK");
    }

    private SippScenario answerRequest(String status) {
        return send("""
                SIP/2.0 %s
                [last_Via:]
                [last_From:]
                [last_To:]
                [last_Call-ID:]
                [last_CSeq:]
                Content-Length: 0
                """.formatted(status), "");
    }

    /** sipp sends the RTP of a pcap file, with its timing, to the media address of the answer. */
    public SippScenario playPcap(Path pcap) {
        elements++;
        steps.append("  <nop><action><exec play_pcap_audio=\"").append(pcap).append("\"/></action></nop>\n");
        return this;
    }

    public SippScenario pause(int millis) {
        elements++;
        steps.append("  <pause milliseconds=\"").append(millis).append("\"/>\n");
        return this;
    }

    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"" + name + "\">\n"
                + steps + "</scenario>\n");
        return file;
    }
}
