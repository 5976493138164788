package io.dialtone.gateway.livekit;

import io.dialtone.api.v1alpha1.AgentDispatch;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.RoomTemplate;
import io.livekit.server.AgentDispatchServiceClient;
import io.livekit.server.RoomServiceClient;
import io.dialtone.routing.Decision;
import io.dialtone.routing.Participants;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import livekit.LivekitModels;
import retrofit2.Response;

/** Creates the rooms accepted calls go to, through LiveKit's RoomService and AgentDispatchService APIs. */
public final class RoomProvisioner {
    private final RoomServiceClient rooms;
    private final AgentDispatchServiceClient agents;
    private final String url;
    private final String apiKey;
    private final String apiSecret;

    public RoomProvisioner(String url, String apiKey, String apiSecret) {
        this.url = httpUrl(url);
        this.apiKey = apiKey;
        this.apiSecret = apiSecret;
        this.rooms = RoomServiceClient.createClient(this.url, apiKey, apiSecret);
        this.agents = AgentDispatchServiceClient.createClient(this.url, apiKey, apiSecret);
    }

    /** LiveKit serves its HTTP APIs on the same port as its WebSocket: ws(s):// becomes http(s)://. */
    static String httpUrl(String url) {
        if (url.startsWith("wss://")) {
            return "https://" + url.substring("wss://".length());
        }
        if (url.startsWith("ws://")) {
            return "http://" + url.substring("ws://".length());
        }
        return url;
    }

    public String url() {
        return url;
    }

    /** Creates the room (or finds it, for direct and callee rooms that already exist) and dispatches its agents. */
    public LivekitModels.Room provision(String name, RoomTemplate template) throws IOException {
        Integer emptyTimeout = template.emptyTimeout() == null ? null
                : (int) Durations.parse(template.emptyTimeout()).toSeconds();
        Response<LivekitModels.Room> created = rooms.createRoom(name, emptyTimeout, template.maxParticipants(), null,
                template.metadata()).execute();
        if (!created.isSuccessful()) {
            throw new IOException("LiveKit refused to create room " + name + ": HTTP " + created.code() + " "
                    + errorBody(created));
        }
        for (AgentDispatch agent : template.agents()) {
            Response<?> dispatched = agents.createDispatch(name, agent.agentName(), agent.metadata()).execute();
            if (!dispatched.isSuccessful()) {
                throw new IOException("LiveKit refused to dispatch agent " + agent.agentName() + " to room " + name
                        + ": HTTP " + dispatched.code() + " " + errorBody(dispatched));
            }
        }
        return created.body();
    }

    /**
     * Joins the caller's participant (kind SIP, with the decision's identity, name and attributes) and keeps it in
     * the room until the session is closed; {@code ended} hears when LiveKit ends it first.
     */
    public ParticipantSession joinCaller(Decision.Accept accept, Duration tokenLifetime, ScheduledExecutorService timers,
                                         java.util.concurrent.Executor io, Consumer<String> ended) throws Exception {
        String token = SipParticipantToken.mint(apiKey, apiSecret, accept, tokenLifetime);
        return ParticipantSession.join(url, token, Duration.ofSeconds(10), timers, io, ended);
    }

    /** Sets sip.callStatus, the attribute agents watch to know the caller is on the line. */
    public void callStatus(String room, String identity, String status) throws IOException {
        Response<LivekitModels.ParticipantInfo> updated = rooms.updateParticipant(room, identity, null, null, null,
                Map.of(Participants.ATTR_CALL_STATUS, status)).execute();
        if (!updated.isSuccessful()) {
            throw new IOException("LiveKit refused to update participant " + identity + " in room " + room + ": HTTP "
                    + updated.code() + " " + errorBody(updated));
        }
    }

    private static String errorBody(Response<?> response) {
        try (var body = response.errorBody()) {
            return body == null ? "" : body.string();
        } catch (IOException e) {
            return "";
        }
    }
}
