package io.dialtone.gateway.livekit;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.routing.Decision;
import io.livekit.server.AccessToken;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The join token of the caller's participant: identity, name, metadata and sip.* attributes from the routing
 * decision, room grants, and {@code kind: "sip"}, which LiveKit reads from the claims but the server SDK's
 * AccessToken cannot set, so its claims are signed again with that one addition.
 */
public final class SipParticipantToken {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SipParticipantToken() {
    }

    public static String mint(String apiKey, String apiSecret, Decision.Accept accept, Duration ttl) throws IOException {
        AccessToken token = new AccessToken(apiKey, apiSecret);
        token.setIdentity(accept.participant().identity());
        token.setName(accept.participant().name());
        if (accept.participant().metadata() != null) {
            token.setMetadata(accept.participant().metadata());
        }
        token.getAttributes().putAll(accept.participant().attributes());
        token.setTtl(ttl.toMillis());
        token.addGrants(new RoomJoin(true), new RoomName(accept.roomName()), new CanPublish(true),
                new CanSubscribe(true), new CanPublishData(true));
        String[] parts = token.toJwt().split("\\.");
        Map<String, Object> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]),
                new TypeReference<Map<String, Object>>() { });
        claims.put("kind", "sip");
        return JWT.create().withPayload(claims).sign(Algorithm.HMAC256(apiSecret.getBytes(StandardCharsets.UTF_8)));
    }
}
