package io.dialtone.gateway.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dialtone.gateway.call.CallControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import livekit.LivekitModels;
import org.junit.jupiter.api.Test;

class CallControlRpcTest {
    private final List<LivekitModels.DataPacket> sent = new ArrayList<>();
    private final List<CallControl.Request> asked = new ArrayList<>();
    private final Map<String, LivekitModels.ParticipantInfo.Kind> room = Map.of(
            "agent-1", LivekitModels.ParticipantInfo.Kind.AGENT,
            "visitor", LivekitModels.ParticipantInfo.Kind.STANDARD);
    private final List<String> lookedUp = new ArrayList<>();
    private long now;
    private final CallControlRpc rpc = new CallControlRpc("call-1", sent::add, identity -> {
        lookedUp.add(identity);
        return Optional.ofNullable(room.get(identity));
    }, asked::add, Runnable::run, () -> now);

    private static LivekitModels.RpcRequest request(String method, String payload) {
        return LivekitModels.RpcRequest.newBuilder().setId("r-1").setMethod(method).setPayload(payload)
                .setResponseTimeoutMs(23_000).setVersion(1).build();
    }

    @Test
    void anAgentsTransferIsAcknowledgedAtOnceAndAnsweredOnceByTheCall() {
        rpc.request("agent-1", request("dialtone.transfer",
                "{\"transferTo\": \"+15550123\", \"headers\": {\"X-Reason\": \"sales\"}}"));
        assertThat(sent).singleElement().satisfies(ack -> {
            assertThat(ack.getRpcAck().getRequestId()).isEqualTo("r-1");
            assertThat(ack.getDestinationIdentitiesList()).containsExactly("agent-1");
        });
        CallControl.Request request = asked.get(0);
        assertThat(request.what()).isEqualTo(new CallControl.Transfer("tel:+15550123", Map.of("X-Reason", "sales"),
                Duration.ofSeconds(23)));
        request.answer().done("{\"transferredTo\":\"tel:+15550123\"}");
        request.answer().failed("too late");
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).getRpcResponse().getPayload()).isEqualTo("{\"transferredTo\":\"tel:+15550123\"}");
        assertThat(sent.get(1).getRpcResponse().getRequestId()).isEqualTo("r-1");
    }

    @Test
    void onlyAgentsMayControlTheCall() {
        rpc.request("visitor", request("dialtone.hangup", ""));
        rpc.request("stranger", request("dialtone.hangup", ""));
        assertThat(asked).isEmpty();
        assertThat(sent).extracting(p -> p.getRpcResponse().getError().getMessage()).containsExactly("", 
                "only participants of kind agent may control a phone call; visitor is standard", "",
                "only participants of kind agent may control a phone call; stranger is not a participant LiveKit knows in this room");
    }

    @Test
    void unknownMethodsAndVersionsGetTheSdksErrorCodes() {
        rpc.request("agent-1", request("dialtone.reboot", "{}"));
        rpc.request("agent-1", request("dialtone.hangup", "").toBuilder().setVersion(2).build());
        assertThat(sent).extracting(p -> p.getRpcResponse().getError().getCode())
                .containsExactly(0, CallControlRpc.UNSUPPORTED_METHOD, 0, CallControlRpc.UNSUPPORTED_VERSION);
    }

    @Test
    void payloadsAreCheckedAndRefusedInWords() {
        assertThat(CallControlRpc.parse(request("dialtone.dtmf", "{\"digits\": \"12#ab\"}")))
                .isEqualTo(new CallControl.SendDigits("12#AB"));
        assertThat(CallControlRpc.parse(request("dialtone.transfer", "{\"transferTo\": \"sip:desk@pbx.example\"}")
                .toBuilder().setResponseTimeoutMs(0).build()))
                .isEqualTo(new CallControl.Transfer("sip:desk@pbx.example", Map.of(), Duration.ofSeconds(1)));
        assertThatThrownBy(() -> CallControlRpc.parse(request("dialtone.dtmf", "{\"digits\": \"12x\"}")))
                .hasMessageContaining("digits must be 1 to 32 of 0-9, *, # and A-D, not \"12x\"");
        assertThatThrownBy(() -> CallControlRpc.parse(request("dialtone.transfer", "{\"transferTo\": \"desk\"}")))
                .hasMessageContaining("transferTo must be a sip:, sips: or tel: URI or a phone number");
        assertThatThrownBy(() -> CallControlRpc.parse(request("dialtone.transfer",
                "{\"transferTo\": \"tel:+1\", \"headers\": {\"Via\": \"x\"}}")))
                .hasMessageContaining("'Via' is not an X- header name");
        assertThatThrownBy(() -> CallControlRpc.parse(request("dialtone.transfer",
                "{\"transferTo\": \"tel:+1\", \"headers\": {\"X-A\": \"a\\r\\nVia: x\"}}")))
                .hasMessageContaining("must be a string on one line");
        assertThatThrownBy(() -> CallControlRpc.parse(request("dialtone.transfer", "[1]")))
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> CallControlRpc.parse(request("dialtone.transfer", "{")))
                .hasMessageContaining("not JSON");
    }

    @Test
    void aFloodIsRefusedWithoutAskingLiveKitAndTheLimitsComeBack() {
        for (int i = 0; i < 30; i++) {
            rpc.request("visitor", request("dialtone.hangup", ""));
        }
        assertThat(lookedUp).as("one lookup per window and identity").containsExactly("visitor");
        assertThat(sent.stream().filter(p -> p.getRpcResponse().getError().getMessage().startsWith("too many")))
                .hasSize(20);
        rpc.request("agent-1", request("dialtone.hangup", ""));
        assertThat(asked).isEmpty();

        now += java.util.concurrent.TimeUnit.SECONDS.toNanos(CallControlRpc.WINDOW_SECONDS);
        for (int i = 0; i < CallControlRpc.MAX_IN_FLIGHT + 1; i++) {
            rpc.request("agent-1", request("dialtone.hangup", ""));
        }
        assertThat(asked).as("taken until that many wait for their answers").hasSize(CallControlRpc.MAX_IN_FLIGHT);
        asked.get(0).answer().done("{}");
        rpc.request("agent-1", request("dialtone.hangup", ""));
        assertThat(asked).hasSize(CallControlRpc.MAX_IN_FLIGHT + 1);
    }

    @Test
    void aPayloadLargerThanLiveKitAllowsIsRefused() {
        rpc.request("agent-1", request("dialtone.dtmf", "x".repeat(CallControlRpc.MAX_PAYLOAD_BYTES + 1)));
        assertThat(sent.get(1).getRpcResponse().getError().getCode())
                .isEqualTo(CallControlRpc.REQUEST_PAYLOAD_TOO_LARGE);
        assertThat(asked).isEmpty();
    }
}
