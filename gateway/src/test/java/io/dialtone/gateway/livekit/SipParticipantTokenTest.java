package io.dialtone.gateway.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.dialtone.api.v1alpha1.RoomTemplate;
import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SipParticipantTokenTest {
    private static final Decision.Accept ACCEPT = new Decision.Accept(CallTrunk.NONE, null, "sip-call-_+15550100_abc",
            new Decision.Participant("sip_+15550100", "Phone +15550100", "{\"vip\":true}",
                    Map.of("sip.trunkID", "carrier", "sip.callStatus", "ringing")), RoomTemplate.EMPTY);

    private static DecodedJWT verified(String token, String secret) {
        return JWT.require(Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8))).withIssuer("devkey").build()
                .verify(token);
    }

    @Test
    void theTokenCarriesKindSipAndTheDecision() throws Exception {
        DecodedJWT jwt = verified(SipParticipantToken.mint("devkey", "secret", ACCEPT, Duration.ofHours(2)), "secret");
        assertThat(jwt.getClaim("kind").asString()).isEqualTo("sip");
        assertThat(jwt.getSubject()).isEqualTo("sip_+15550100");
        assertThat(jwt.getClaim("name").asString()).isEqualTo("Phone +15550100");
        assertThat(jwt.getClaim("metadata").asString()).isEqualTo("{\"vip\":true}");
        assertThat(jwt.getClaim("attributes").asMap()).containsEntry("sip.trunkID", "carrier");
        Map<String, Object> video = jwt.getClaim("video").asMap();
        assertThat(video).containsEntry("roomJoin", true).containsEntry("room", "sip-call-_+15550100_abc")
                .containsEntry("canPublish", true).containsEntry("canSubscribe", true)
                .as("the call sets its own sip.callStatus").containsEntry("canUpdateOwnMetadata", true);
        assertThat(Duration.between(java.time.Instant.now(), jwt.getExpiresAt().toInstant()))
                .isBetween(Duration.ofMinutes(119), Duration.ofMinutes(121));
    }

    @Test
    void onlyTheApiSecretVerifiesIt() throws Exception {
        String token = SipParticipantToken.mint("devkey", "secret", ACCEPT, Duration.ofHours(1));
        assertThatThrownBy(() -> verified(token, "another-secret")).isInstanceOf(SignatureVerificationException.class);
    }
}
