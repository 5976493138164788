package io.dialtone.gateway.livekit;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioProcessing;
import dev.onvoid.webrtc.media.audio.AudioProcessingConfig;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;

/**
 * The process's libwebrtc: two factories shared by every call, as docs/architecture.md ("Media") explains for webrtc-java 0.14.0
 * (the no-argument factory aborts the JVM, and sending and receiving in one headless factory races): publishing
 * on the dummy audio layer, subscribing on the headless module whose playout thread delivers remote audio to the
 * tracks' sinks. Created on first use, so gateways that never bridge audio never load the native library.
 *
 * <p>Neither factory processes audio: libwebrtc's voice engine turns on echo cancellation, noise suppression, gain
 * control and a high-pass filter by default, made for a microphone and a loudspeaker in one room. A gateway has
 * neither (the caller's audio arrives through a custom source and must reach the room untouched), so each factory
 * gets an audio processing module with all of it off. The CPU this saves is within the spread between runs
 * (docs/benchmarks.md, "Side by side with LiveKit's own SIP service").
 */
public final class WebRtcEngine {
    private static volatile WebRtcEngine instance;

    private final AudioDeviceModule publisherAudio;
    private final AudioProcessing publisherProcessing = new AudioProcessing();
    private final PeerConnectionFactory publisherFactory;
    private final HeadlessAudioDeviceModule subscriberAudio;
    private final AudioProcessing subscriberProcessing = new AudioProcessing();
    private final PeerConnectionFactory subscriberFactory;

    private WebRtcEngine() {
        publisherAudio = new AudioDeviceModule(AudioLayer.kDummyAudio);
        publisherFactory = new PeerConnectionFactory(publisherAudio, publisherProcessing);
        subscriberAudio = new HeadlessAudioDeviceModule();
        subscriberFactory = new PeerConnectionFactory(subscriberAudio, subscriberProcessing);
        // After the factories: creating one applies the voice engine's defaults to its module.
        publisherProcessing.applyConfig(nothingProcessed());
        subscriberProcessing.applyConfig(nothingProcessed());
        // Playout starts once the factory owns the module; its thread is what pulls remote audio into the sinks.
        subscriberAudio.initPlayout();
        subscriberAudio.startPlayout();
    }

    private static AudioProcessingConfig nothingProcessed() {
        AudioProcessingConfig config = new AudioProcessingConfig();
        config.echoCanceller.enabled = false;
        config.gainControl.enabled = false;
        config.highPassFilter.enabled = false;
        config.noiseSuppression.enabled = false;
        return config;
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
