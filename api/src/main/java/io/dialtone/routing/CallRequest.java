package io.dialtone.routing;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What routing sees of an INVITE.
 *
 * @param callId     the gateway's own call id (sip.callID)
 * @param sipCallId  the Call-ID header (sip.callIDFull)
 * @param headers    request headers by name, compared case-insensitively
 */
public record CallRequest(
        InetAddress source,
        String transport,
        String fromUser,
        String fromHost,
        String toUser,
        String callId,
        String sipCallId,
        Map<String, String> headers,
        PinEntry pin) {

    public CallRequest {
        fromUser = fromUser == null ? "" : fromUser;
        fromHost = fromHost == null ? "" : fromHost.toLowerCase(Locale.ROOT);
        toUser = toUser == null ? "" : toUser;
        callId = callId == null ? "" : callId;
        sipCallId = sipCallId == null ? "" : sipCallId;
        TreeMap<String, String> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            caseless.putAll(headers);
        }
        headers = java.util.Collections.unmodifiableMap(caseless);
        pin = pin == null ? PinEntry.NOT_ASKED : pin;
    }

    public CallRequest withPin(PinEntry entry) {
        return new CallRequest(source, transport, fromUser, fromHost, toUser, callId, sipCallId, headers, entry);
    }
}
