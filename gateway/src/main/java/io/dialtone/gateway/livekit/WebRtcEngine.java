package io.dialtone.gateway.livekit;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;

/**
 * The process's libwebrtc: one factory for publishing, shared by every call (DESIGN 4a: a factory built on the
 * dummy audio layer; the no-argument factory aborts the JVM). Created on first use, so gateways that never bridge
 * audio never load the native library.
 */
public final class WebRtcEngine {
    private static volatile WebRtcEngine instance;

    private final AudioDeviceModule publisherAudio;
    private final PeerConnectionFactory publisherFactory;

    private WebRtcEngine() {
        publisherAudio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        publisherFactory = new PeerConnectionFactory(publisherAudio);
    }

    public static WebRtcEngine get() {
        WebRtcEngine engine = instance;
        if (engine == null) {
            synchronized (WebRtcEngine.class) {
                engine = instance;
                if (engine == null) {
                    engine = new WebRtcEngine();
                    instance = engine;
                }
            }
        }
        return engine;
    }

    PeerConnectionFactory publisherFactory() {
        return publisherFactory;
    }
}
