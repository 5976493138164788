package io.dialtone.gateway.sip;

import io.dialtone.routing.Reason;
import java.text.ParseException;
import java.util.Map;
import java.util.UUID;
import javax.sip.InvalidArgumentException;
import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** Builds the responses and headers the gateway sends, so handlers read as the call flow and not as header plumbing. */
public final class SipMessages {
    static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY";

    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final String contactHost;
    private final int contactPort;
    private final int tlsContactPort;
    private final String ownerId;

    /** @param ownerId this gateway's peer id, which its tags and branches carry ({@link OwnerMarks}) */
    SipMessages(SipFactory factory, String contactHost, int contactPort, int tlsContactPort, String ownerId)
            throws javax.sip.PeerUnavailableException {
        this.ownerId = ownerId;
        this.messages = factory.createMessageFactory();
        this.headers = factory.createHeaderFactory();
        this.addresses = factory.createAddressFactory();
        this.contactHost = contactHost;
        this.contactPort = contactPort;
        this.tlsContactPort = tlsContactPort;
    }

    HeaderFactory headers() {
        return headers;
    }

    /** A To tag of this gateway's: in-dialog requests that reach another gateway of the fleet find their way here. */
    String newTag() {
        return OwnerMarks.tag(ownerId);
    }

    /** The branch of a request this gateway sends, so that its response finds its way here from any peer. */
    void ownBranch(Request request) throws ParseException {
        ((javax.sip.header.ViaHeader) request.getHeader(javax.sip.header.ViaHeader.NAME))
                .setBranch(OwnerMarks.branch(ownerId));
    }

    static String randomToken() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** A response; every final response and every provisional one after 100 carries our To tag. */
    Response response(int status, Request request, String toTag) throws ParseException {
        Response response = messages.createResponse(status, request);
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        if (status > 100 && to.getTag() == null && toTag != null) {
            to.setTag(toTag);
        }
        return response;
    }

    /**
     * The session timer a 2xx answers with (RFC 4028): Session-Expires, and Require: timer when the caller is to
     * refresh, so it knows it must.
     */
    void withSessionTimer(Response response, SessionTimer timer) throws ParseException {
        response.setHeader(headers.createHeader("Session-Expires", timer.header()));
        if (timer.refresher() == SessionTimer.Refresher.uac) {
            response.setHeader(headers.createHeader("Require", "timer"));
        }
    }

    /** A rejection with a Reason header (RFC 3326) that says why in words. */
    Response rejection(Reason reason, Request request, String toTag, Map<String, String> extraHeaders)
            throws ParseException, InvalidArgumentException {
        Response response = response(reason.sipStatus(), request, toTag);
        response.setHeader(headers.createReasonHeader("SIP", reason.sipStatus(), reason.headerText()));
        if (reason.sipStatus() == 503) {
            response.setHeader(headers.createRetryAfterHeader(reason == Reason.RATE_LIMITED || reason == Reason.OVERLOADED ? 1 : 5));
        }
        for (Map.Entry<String, String> header : extraHeaders.entrySet()) {
            response.addHeader(headers.createHeader(header.getKey(), header.getValue()));
        }
        return response;
    }

    ContactHeader contact(String transport) throws ParseException {
        SipURI uri = addresses.createSipURI(null, contactHost);
        uri.setPort("tls".equalsIgnoreCase(transport) ? tlsContactPort : contactPort);
        uri.setTransportParam(transport);
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    /** Refer-To with {@code target}, a sip:, sips: or tel: URI; a target that does not parse is refused here. */
    javax.sip.header.ReferToHeader referTo(String target) throws ParseException {
        return headers.createReferToHeader(addresses.createAddress(addresses.createURI(target)));
    }

    void withSdp(Response response, String sdp) throws ParseException {
        response.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
    }

    void allow(Response response) throws ParseException {
        response.setHeader(headers.createAllowHeader(ALLOW));
    }
}
