package io.dialtone.gateway.livekit;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;

/**
 * The process's libwebrtc: two factories shared by every call, as docs/architecture.md ("Media") explains for webrtc-java 0.14.0
 * (the no-argument factory aborts the JVM, and sending and receiving in one headless factory races): publishing
 * on the dummy audio layer, subscribing on the headless module whose playout thread delivers remote audio to the
 * tracks' sinks. Created on first use, so gateways that never bridge audio never load the native library.
 */
public final class WebRtcEngine {
    private static volatile WebRtcEngine instance;

    private final AudioDeviceModule publisherAudio;
    private final PeerConnectionFactory publisherFactory;
    private final HeadlessAudioDeviceModule subscriberAudio;
    private final PeerConnectionFactory subscriberFactory;

    private WebRtcEngine() {
        publisherAudio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        publisherFactory = new PeerConnectionFactory(publisherAudio);
        subscriberAudio = new HeadlessAudioDeviceModule();
        subscriberFactory = new PeerConnectionFactory(subscriberAudio);
        // Playout starts once the factory owns the module; its thread is what pulls remote audio into the sinks.
        subscriberAudio.initPlayout();
        subscriberAudio.startPlayout();
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

    PeerConnectionFactory subscriberFactory() {
        return subscriberFactory;
    }
}
