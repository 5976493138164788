package io.dialtone.gateway.livekit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.gateway.webrtc.RemoteDescription;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** LiveKit's trickled ICE candidates: a JSON candidate-init per TrickleRequest, for one of the two connections. */
final class TrickledCandidates {
    private static final Logger LOG = LoggerFactory.getLogger(TrickledCandidates.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrickledCandidates() {
    }

    /** The candidate's address, when the trickle is for {@code target} and names a usable UDP candidate. */
    static Optional<InetSocketAddress> of(LivekitRtc.TrickleRequest trickle, LivekitRtc.SignalTarget target) {
        if (trickle.getTarget() != target) {
            return Optional.empty();
        }
        try {
            JsonNode init = JSON.readTree(trickle.getCandidateInit());
            return RemoteDescription.candidate(init.path("candidate").asText());
        } catch (IOException e) {
            LOG.warn("LiveKit sent an ICE candidate that does not parse: {}", trickle.getCandidateInit());
            return Optional.empty();
        }
    }
}
