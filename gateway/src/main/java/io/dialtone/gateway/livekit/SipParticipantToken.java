package io.dialtone.gateway.livekit;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import io.dialtone.routing.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The join token of the caller's participant: identity, name, metadata and sip.* attributes from the routing
 * decision, room grants, {@code canUpdateOwnMetadata} (the call sets its own {@code sip.callStatus} over its
 * signalling connection, as LiveKit's SIP participants do) and {@code kind: "sip"}. The claims are those of
 * LiveKit's access tokens, written here because the server SDK's AccessToken cannot set the kind.
 */
public final class SipParticipantToken {
    private SipParticipantToken() {
    }

    public static String mint(String apiKey, String apiSecret, Decision.Accept accept, Duration ttl) {
        Decision.Participant participant = accept.participant();
        JWTCreator.Builder token = JWT.create().withIssuer(apiKey).withSubject(participant.identity())
                .withExpiresAt(Instant.now().plus(ttl)).withClaim("attributes", Map.copyOf(participant.attributes()))
                .withClaim("video", Map.of("roomJoin", true, "room", accept.roomName(), "canPublish", true,
                        "canSubscribe", true, "canPublishData", true, "canUpdateOwnMetadata", true))
                .withClaim("kind", "sip");
        if (participant.name() != null) {
            token.withClaim("name", participant.name());
        }
        if (participant.metadata() != null) {
            token.withClaim("metadata", participant.metadata());
        }
        return token.sign(Algorithm.HMAC256(apiSecret.getBytes(StandardCharsets.UTF_8)));
    }
}
