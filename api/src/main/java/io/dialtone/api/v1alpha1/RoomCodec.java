package io.dialtone.api.v1alpha1;

/** The codec of the caller's audio track in the room. */
public enum RoomCodec {
    /**
     * G.711 callers as they are (PCMU or PCMA, no transcoding) where LiveKit takes it, as livekit-server does by
     * default; G.722 callers, and rooms whose LiveKit does not take G.711, as Opus.
     */
    auto,
    /** Always Opus, as LiveKit's own SIP service publishes. */
    opus
}
