package io.dialtone.gateway.livekit;

import io.dialtone.api.v1alpha1.AgentDispatch;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.RoomTemplate;
import io.livekit.server.AgentDispatchServiceClient;
import io.livekit.server.RoomServiceClient;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import livekit.LivekitModels;
import retrofit2.Response;

/** Creates the rooms accepted calls go to, through LiveKit's RoomService and AgentDispatchService APIs. */
public final class RoomProvisioner {
    private final RoomServiceClient rooms;
    private final AgentDispatchServiceClient agents;
    private final String url;

    public RoomProvisioner(String url, String apiKey, String apiSecret) {
        this.url = httpUrl(url);
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

    /** Which of these rooms still exist. */
    public Set<String> existing(Collection<String> names) throws IOException {
        Response<List<LivekitModels.Room>> listed = rooms.listRooms(List.copyOf(names)).execute();
        if (!listed.isSuccessful() || listed.body() == null) {
            throw new IOException("LiveKit refused to list rooms: HTTP " + listed.code() + " " + errorBody(listed));
        }
        return listed.body().stream().map(LivekitModels.Room::getName).collect(Collectors.toSet());
    }

    private static String errorBody(Response<?> response) {
        try (var body = response.errorBody()) {
            return body == null ? "" : body.string();
        } catch (IOException e) {
            return "";
        }
    }
}
