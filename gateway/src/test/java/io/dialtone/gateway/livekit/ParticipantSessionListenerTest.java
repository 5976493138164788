package io.dialtone.gateway.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.junit.jupiter.api.Test;

/** How the participant's signalling listener matches LiveKit's answers to the requests waiting for them. */
class ParticipantSessionListenerTest {
    private final List<String> ended = new ArrayList<>();
    private final ParticipantSession.Listener listener = new ParticipantSession.Listener(new CompletableFuture<>(),
            ended::add);

    private static final LivekitRtc.SignalRequest UPDATE = LivekitRtc.SignalRequest.newBuilder()
            .setUpdateMetadata(LivekitRtc.UpdateParticipantMetadata.newBuilder().setRequestId(7)
                    .putAttributes("sip.callStatus", "active")).build();

    private void receive(LivekitRtc.SignalResponse response) {
        listener.onBinary(new NoSocket(), ByteBuffer.wrap(response.toByteArray()), true);
    }

    private void answer(int requestId, LivekitRtc.RequestResponse.Reason reason, String message) {
        receive(LivekitRtc.SignalResponse.newBuilder().setRequestResponse(LivekitRtc.RequestResponse.newBuilder()
                .setRequestId(requestId).setReason(reason).setMessage(message)).build());
    }

    @Test
    void anOkConfirmsTheRequestItAnswersAndNoOther() {
        CompletableFuture<Void> confirmation = listener.expectConfirmation(7, UPDATE);
        answer(8, LivekitRtc.RequestResponse.Reason.OK, "");
        assertThat(confirmation).isNotDone();
        answer(7, LivekitRtc.RequestResponse.Reason.QUEUED, "");
        assertThat(confirmation).as("queued is not the last word").isNotDone();
        answer(7, LivekitRtc.RequestResponse.Reason.OK, "");
        assertThat(confirmation).isCompleted();
        assertThat(listener.unconfirmedRequests()).isEmpty();
    }

    @Test
    void aRefusalFailsTheRequestWithLiveKitsReason() {
        CompletableFuture<Void> confirmation = listener.expectConfirmation(7, UPDATE);
        answer(7, LivekitRtc.RequestResponse.Reason.LIMIT_EXCEEDED, "exceeds attributes size limit");
        assertThat(confirmation).failsWithin(java.time.Duration.ZERO).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).withMessageContaining("LIMIT_EXCEEDED")
                .withMessageContaining("exceeds attributes size limit");
        assertThat(listener.unconfirmedRequests()).isEmpty();
    }

    @Test
    void aRequestStillUnansweredIsOfferedForTheResumedConnectionAndFailsWhenLiveKitEndsTheParticipant() {
        CompletableFuture<Void> confirmation = listener.expectConfirmation(7, UPDATE);
        assertThat(listener.unconfirmedRequests()).containsExactly(UPDATE);
        receive(LivekitRtc.SignalResponse.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                .setReason(LivekitModels.DisconnectReason.ROOM_DELETED)).build());
        assertThat(confirmation).failsWithin(java.time.Duration.ZERO).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).withMessageContaining("room deleted");
        assertThat(ended).containsExactly("room deleted");
        assertThat(listener.unconfirmedRequests()).isEmpty();
    }

    /** The listener only asks a socket for its next message. */
    private static final class NoSocket implements WebSocket {
        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }

        @Override
        public void abort() {
        }
    }
}
