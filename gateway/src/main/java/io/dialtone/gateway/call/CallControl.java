package io.dialtone.gateway.call;

import java.time.Duration;
import java.util.Map;

/**
 * What a participant in the room asks of the call it is in: the SIP participant's RPC methods
 * ({@code docs/call-control.md}). A request carries its {@link Answer}, which the call completes exactly once.
 */
public sealed interface CallControl {
    /**
     * Transfer the caller by REFER (RFC 3515) to {@code target}, a sip:, sips: or tel: URI, with the trunk's
     * extra X- {@code headers} on the REFER; the outcome is awaited for at most {@code within}.
     */
    record Transfer(String target, Map<String, String> headers, Duration within) implements CallControl {
        public Transfer {
            headers = Map.copyOf(headers);
        }
    }

    /** End the call with a BYE. */
    record HangUp() implements CallControl {
    }

    /** Play {@code digits} (0-9, *, #, A-D) to the caller as RFC 4733 events, in order. */
    record SendDigits(String digits) implements CallControl {
    }

    /** One request from the room: who asked (a participant identity), what, and where its answer goes. */
    record Request(String from, CallControl what, Answer answer) {
    }

    /** The answer to one request; the first call of either method is the one that counts. */
    interface Answer {
        /** Done: {@code result} is the JSON the caller receives. */
        void done(String result);

        /** Not done, and why, in words the agent's developer can act on. */
        void failed(String why);
    }
}
