package io.dialtone.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveKitImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What `lk sip inbound list --json` prints: protobuf's JSON, lowerCamelCase. */
    private static final String TRUNKS = """
            {"items": [
              {"sipTrunkId": "ST_abc", "name": "Twilio Main", "numbers": ["+15550100"],
               "allowedAddresses": ["203.0.113.0/24"], "authUsername": "pbx", "authPassword": "s3cret",
               "headers": {"X-Line": "main"}, "headersToAttributes": {"X-Campaign": "campaign"},
               "includeHeaders": "SIP_X_HEADERS", "ringingTimeout": "12s", "maxCallDuration": "1.500s",
               "mediaEncryption": "SIP_MEDIA_ENCRYPT_ALLOW", "metadata": "team=sales"},
              {"sipTrunkId": "ST_noise", "name": "noisy", "numbers": ["+15550101"], "krispEnabled": true}
            ]}
            """;

    /** The file `lk sip dispatch create` takes: a request, snake_case proto names. */
    private static final String RULE = """
            {"dispatch_rule": {"name": "Front desk", "trunk_ids": ["ST_abc"],
              "rule": {"dispatch_rule_direct": {"room_name": "front-desk", "pin": "4321"}},
              "attributes": {"team": "sales"}, "hide_phone_number": true,
              "room_config": {"empty_timeout": 300, "agents": [{"agent_name": "receptionist", "metadata": "{}"}]}}}
            """;

    private static LiveKitImport.Result translate(String... json) throws Exception {
        List<JsonNode> inputs = new java.util.ArrayList<>();
        for (String text : json) {
            inputs.add(JSON.readTree(text));
        }
        return LiveKitImport.translate(inputs, "dialtone");
    }

    @Test
    void aTrunkBecomesASipTrunkWithItsPasswordInASecret() throws Exception {
        LiveKitImport.Result result = translate(TRUNKS);
        assertThat(result.documents()).extracting(d -> d.get("kind").asText() + "/" + d.at("/metadata/name").asText())
                .containsExactly("Secret/twilio-main-auth", "SipTrunk/twilio-main");
        JsonNode secret = result.documents().get(0);
        assertThat(secret.at("/metadata/labels/dialtone.io~1secret").asText()).isEqualTo("true");
        assertThat(secret.at("/stringData/username").asText()).isEqualTo("pbx");
        assertThat(secret.at("/stringData/password").asText()).isEqualTo("s3cret");
        JsonNode trunk = result.documents().get(1);
        assertThat(trunk.at("/metadata/annotations/dialtone.io~1livekit-id").asText()).isEqualTo("ST_abc");
        assertThat(trunk.get("spec").toString()).isEqualTo("{\"gatewayRef\":\"dialtone\",\"numbers\":[\"+15550100\"],"
                + "\"allowedAddresses\":[\"203.0.113.0/24\"],\"auth\":{\"secretRef\":{\"name\":\"twilio-main-auth\"}},"
                + "\"headers\":{\"X-Line\":\"main\"},\"headersToAttributes\":{\"X-Campaign\":\"campaign\"},"
                + "\"includeHeaders\":\"x-headers\",\"ringingTimeout\":\"12s\",\"maxCallDuration\":\"1500ms\","
                + "\"media\":{\"encryption\":\"allow\"}}");
        assertThat(result.refused()).containsExactly(
                "inbound trunk 'noisy' ST_noise left out: krisp_enabled: Dialtone has no noise cancellation");
    }

    @Test
    void aRuleFindsItsTrunksByLiveKitIdAndItsPinMovesToASecret() throws Exception {
        LiveKitImport.Result result = translate(RULE, TRUNKS);
        JsonNode rule = result.documents().stream().filter(d -> d.get("kind").asText().equals("DispatchRule"))
                .findFirst().orElseThrow();
        assertThat(rule.at("/metadata/name").asText()).isEqualTo("front-desk");
        assertThat(rule.get("spec").toString()).isEqualTo("{\"gatewayRef\":\"dialtone\",\"direct\":{\"roomName\":"
                + "\"front-desk\",\"pinSecretRef\":{\"name\":\"front-desk-pin\",\"key\":\"pin\"}},"
                + "\"trunkRefs\":[\"twilio-main\"],\"hidePhoneNumber\":true,\"participant\":{\"attributes\":"
                + "{\"team\":\"sales\"}},\"room\":{\"emptyTimeout\":\"300s\",\"agents\":[{\"agentName\":"
                + "\"receptionist\",\"metadata\":\"{}\"}]}}");
        assertThat(result.documents()).extracting(d -> d.at("/metadata/name").asText())
                .contains("front-desk-pin");
    }

    @Test
    void whatHasNoEquivalentIsRefusedWithTheReason() throws Exception {
        LiveKitImport.Result result = translate("""
                [{"sip_dispatch_rule_id": "SDR_1", "trunk_ids": ["ST_gone"], "room_preset": "p1",
                  "rule": {"dispatch_rule_individual": {"room_prefix": "call"}},
                  "room_config": {"egress": {}}},
                 {"sip_trunk_id": "ST_out", "address": "sip.example.com", "numbers": ["+1555"]},
                 {"hello": "world"}]
                """);
        assertThat(result.documents()).isEmpty();
        assertThat(result.refused()).containsExactly(
                "outbound trunk ST_out: Dialtone takes inbound calls only",
                "neither an inbound trunk nor a dispatch rule: {\"hello\":\"world\"}",
                "dispatch rule SDR_1 left out: trunk_ids names ST_gone, which is not among the imported trunks: "
                        + "import its trunk in the same run; room_preset p1: presets are LiveKit Cloud's; set the "
                        + "room's settings in the rule's room instead; room_config.egress: not supported; the room "
                        + "takes metadata, empty_timeout, max_participants and agents");
    }
}
