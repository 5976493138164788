package io.dialtone.gateway.sip;

/** The one response to a request received inside a call (CANCEL, BYE, re-INVITE, UPDATE, INFO). */
interface Reply {
    void status(int code);

    /** 200 OK carrying the gateway's SDP answer. */
    void sdp(String answer);
}
