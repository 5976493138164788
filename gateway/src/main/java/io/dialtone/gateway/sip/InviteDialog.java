package io.dialtone.gateway.sip;

import io.dialtone.routing.Reason;

/**
 * The SIP side of one call as the call sees it: the INVITE's responses and the gateway's BYE. Only the call's loop
 * calls it, so the INVITE's final response (answer, reject or terminated) is sent at most once; an implementation
 * also refuses a second one, and logs it, so a slip shows instead of reaching the caller.
 */
interface InviteDialog {
    /** 180 Ringing, with the gateway's To tag; again every second while a trunk waits for the room's audio. */
    void ringing();

    /** 200 OK with the gateway's SDP answer. */
    void answer(String sdp);

    /** The final refusal of the INVITE, with a Reason header that says why in words. */
    void reject(Reason reason);

    /** 487 Request Terminated, after the caller's CANCEL. */
    void terminated();

    /** 500 Server Internal Error: the gateway failed handling the call. */
    void failed();

    /** An UPDATE that refreshes the session, when the gateway is the session timer's refresher (RFC 4028). */
    void refresh();

    /** BYE from the gateway with a Reason header, once the call was answered. */
    void bye(String why, java.util.Map<String, String> headers);

    /**
     * REFER (RFC 3515) to the caller, asking it to call {@code target} (a sip:, sips: or tel: URI) with the extra
     * X- {@code headers}; its response and NOTIFYs come back to the call as events.
     */
    Referral refer(String target, java.util.Map<String, String> headers);

    /** Whether a REFER went out. */
    sealed interface Referral {
        /** @param cseq the REFER's CSeq number, which its response and NOTIFYs name */
        record Sent(long cseq) implements Referral {
        }

        record NotSent(String why) implements Referral {
        }
    }

    /**
     * Whether {@code dialog} is this INVITE's: a Call-ID outlives a refused attempt (a 407 challenge, say), and the
     * end of that attempt's dialog must not end the call that followed it.
     */
    boolean owns(javax.sip.Dialog dialog);
}
