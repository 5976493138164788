package io.dialtone.api.v1alpha1;

/** When the gateway answers a call whose audio it bridges. */
public enum AnswerWhen {
    /** Once the caller's participant has joined and hears a first audio track from the room. */
    firstTrack,
    /** As soon as the caller's participant has joined the room. */
    joined
}
