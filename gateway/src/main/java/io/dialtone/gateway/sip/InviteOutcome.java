package io.dialtone.gateway.sip;

/** What handling a new INVITE came to. */
sealed interface InviteOutcome {
    /** The INVITE was answered (refused, challenged) or dropped, or was a retransmission: no call follows. */
    record Done() implements InviteOutcome {
    }

    /** The INVITE becomes a call. */
    record Proceed(CallSetup setup) implements InviteOutcome {
    }

    InviteOutcome DONE = new Done();
}
