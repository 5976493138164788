package io.dialtone.api.v1alpha1;

/** When the gateway answers a call whose audio it bridges. */
public enum AnswerWhen {
    /**
     * firstTrack when the call's DispatchRule dispatches agents (someone is on the way, and answering before they
     * speak would be dead air), joined otherwise (nobody may ever publish, and ringing would only time out).
     */
    auto,
    /** Once the caller's participant has joined and hears a first audio track from the room. */
    firstTrack,
    /** As soon as the caller's participant has joined the room. */
    joined
}
