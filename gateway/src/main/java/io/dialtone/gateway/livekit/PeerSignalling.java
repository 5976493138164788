package io.dialtone.gateway.livekit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both of a participant's peer connections share with LiveKit's signalling: the ICE servers of the join,
 * candidates as LiveKit's JSON candidate-init both ways, and candidates that arrive before the remote description
 * held back until it is set. libwebrtc is never called with the lock held: its calls wait for its signalling thread,
 * which may itself be waiting for the lock in a callback (remoteDescriptionSet), and the two would hang for good.
 */
final class PeerSignalling {
    private static final Logger LOG = LoggerFactory.getLogger(PeerSignalling.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ParticipantSession session;
    private final LivekitRtc.SignalTarget target;
    private final List<RTCIceCandidate> pending = new ArrayList<>();
    private volatile RTCPeerConnection connection;
    private boolean remoteSet;

    PeerSignalling(ParticipantSession session, LivekitRtc.SignalTarget target) {
        this.session = session;
        this.target = target;
    }

    void connection(RTCPeerConnection peerConnection) {
        this.connection = peerConnection;
    }

    static RTCConfiguration configuration(LivekitRtc.JoinResponse join) {
        RTCConfiguration configuration = new RTCConfiguration();
        if (configuration.iceServers == null) {
            configuration.iceServers = new ArrayList<>();
        }
        for (LivekitRtc.ICEServer server : join.getIceServersList()) {
            RTCIceServer ice = new RTCIceServer();
            ice.urls = new ArrayList<>(server.getUrlsList());
            ice.username = server.getUsername();
            ice.password = server.getCredential();
            configuration.iceServers.add(ice);
        }
        return configuration;
    }

    /** A local candidate, to LiveKit. */
    void sendCandidate(RTCIceCandidate candidate) {
        try {
            String init = JSON.writeValueAsString(Map.of("candidate", candidate.sdp, "sdpMid", candidate.sdpMid,
                    "sdpMLineIndex", candidate.sdpMLineIndex));
            session.send(LivekitRtc.SignalRequest.newBuilder().setTrickle(LivekitRtc.TrickleRequest.newBuilder()
                    .setCandidateInit(init).setTarget(target)).build());
        } catch (JsonProcessingException e) {
            LOG.warn("ICE candidate {} not sent: {}", candidate, e.getMessage());
        }
    }

    /** A remote candidate for this connection, if the trickle is for it. */
    void receiveCandidate(LivekitRtc.TrickleRequest trickle) {
        if (trickle.getTarget() != target) {
            return;
        }
        RTCIceCandidate candidate;
        try {
            JsonNode json = JSON.readTree(trickle.getCandidateInit());
            candidate = new RTCIceCandidate(json.path("sdpMid").asText(), json.path("sdpMLineIndex").asInt(),
                    json.path("candidate").asText());
        } catch (java.io.IOException e) {
            LOG.warn("LiveKit sent an ICE candidate that does not parse: {}", trickle.getCandidateInit());
            return;
        }
        synchronized (this) {
            if (!remoteSet) {
                pending.add(candidate);
                return;
            }
        }
        connection.addIceCandidate(candidate);
    }

    void remoteDescriptionSet() {
        List<RTCIceCandidate> held;
        synchronized (this) {
            remoteSet = true;
            held = List.copyOf(pending);
            pending.clear();
        }
        held.forEach(connection::addIceCandidate);
    }

    /** For steps whose failure is worth a log line but not an end of the call. */
    static SetSessionDescriptionObserver logged(String what, Runnable onSuccess) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                onSuccess.run();
            }

            @Override
            public void onFailure(String error) {
                LOG.warn("{} failed: {}", what, error);
            }
        };
    }
}
