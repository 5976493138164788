package io.dialtone.gateway.livekit;

import io.dialtone.api.v1alpha1.AgentDispatch;
import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.LiveKitConnection;
import io.dialtone.api.v1alpha1.RoomTemplate;
import io.livekit.server.AgentDispatchServiceClient;
import io.livekit.server.RoomServiceClient;
import io.dialtone.routing.Decision;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import livekit.LivekitAgentDispatch;
import livekit.LivekitModels;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import retrofit2.Response;

/**
 * Creates the rooms accepted calls go to, through LiveKit's RoomService and AgentDispatchService APIs. The LiveKit URL
 * and credentials are read from the routing in force for each call, so rotated credentials take effect with the
 * revision that carries them. Every call to LiveKit goes through one {@link LiveKitBreaker}. A LiveKit that cannot
 * be reached fails a request within {@link #CONNECT_TIMEOUT}; one that takes the request and does not answer, within
 * {@link #API_TIMEOUT}; once the breaker opens, callers hear 503 at once. The answer may take longer than the
 * connection: a LiveKit that works but is busy should make calls slower, not fail them (with 75 calls being set
 * up at once on a full machine, livekit-server took 3-4 s per room in bench/vs-livekit-sip.sh).
 */
public final class RoomProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(RoomProvisioner.class);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration API_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<LiveKitConnection> connection;
    private final LiveKitBreaker breaker;
    private final OkHttpClient http = new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).callTimeout(API_TIMEOUT)
            .build();
    private Clients clients;

    /** The API clients for one LiveKit URL and key pair. */
    private record Clients(LiveKitConnection connection, String url, RoomServiceClient rooms,
                           AgentDispatchServiceClient agents) {
    }

    /** @param connection the LiveKit URL and credentials in force now (they change with the routing revision) */
    public RoomProvisioner(Supplier<LiveKitConnection> connection, LiveKitBreaker breaker) {
        this.connection = connection;
        this.breaker = breaker;
    }

    public LiveKitBreaker breaker() {
        return breaker;
    }

    private synchronized Clients clients() {
        LiveKitConnection now = connection.get();
        if (clients == null || !clients.connection().equals(now)) {
            String url = httpUrl(now.url());
            if (clients != null) {
                LOG.info("event=livekit_connection_changed url={} api_key={} why=\"the routing revision in force "
                        + "names other LiveKit credentials; new calls use them\"", url, now.apiKey());
            }
            clients = new Clients(now, url, RoomServiceClient.createClient(url, now.apiKey(), now.apiSecret(),
                    () -> http), AgentDispatchServiceClient.createClient(url, now.apiKey(), now.apiSecret(),
                    () -> http));
        }
        return clients;
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
        return clients().url();
    }

    /** Creates the room (or finds it, for direct and callee rooms that already exist) and dispatches its agents. */
    public LivekitModels.Room provision(String name, RoomTemplate template) throws Exception {
        return breaker.call("create room " + name, () -> create(name, template));
    }

    private LivekitModels.Room create(String name, RoomTemplate template) throws IOException {
        Clients api = clients();
        Integer emptyTimeout = template.emptyTimeout() == null ? null
                : (int) Durations.parse(template.emptyTimeout()).toSeconds();
        Response<LivekitModels.Room> created = api.rooms().createRoom(name, emptyTimeout, template.maxParticipants(), null,
                template.metadata()).execute();
        if (!created.isSuccessful()) {
            throw new LiveKitBreaker.RefusedException("LiveKit refused to create room " + name + ": HTTP "
                    + created.code() + " " + errorBody(created), created.code());
        }
        if (template.agents().isEmpty()) {
            return created.body();
        }
        // As LiveKit dispatches a room's agents once, when the room is made: a call into a room that already has
        // the agent (a direct or callee room) does not dispatch it again. One room's calls on this pod check in turn.
        synchronized (DISPATCH_LOCKS[Math.floorMod(name.hashCode(), DISPATCH_LOCKS.length)]) {
            dispatchMissing(api, name, template.agents());
        }
        return created.body();
    }

    private static final Object[] DISPATCH_LOCKS = Stream.generate(Object::new).limit(64).toArray();

    private void dispatchMissing(Clients api, String name, List<AgentDispatch> agents) throws IOException {
        Response<List<LivekitAgentDispatch.AgentDispatch>> listed = api.agents().listDispatch(name)
                .execute();
        if (!listed.isSuccessful()) {
            throw new LiveKitBreaker.RefusedException("LiveKit refused to list the agent dispatches of room " + name
                    + ": HTTP " + listed.code() + " " + errorBody(listed), listed.code());
        }
        Set<String> present = new HashSet<>();
        listed.body().forEach(dispatch -> present.add(dispatch.getAgentName()));
        for (AgentDispatch agent : agents) {
            if (present.contains(agent.agentName())) {
                continue;
            }
            Response<?> dispatched = api.agents().createDispatch(name, agent.agentName(), agent.metadata()).execute();
            if (!dispatched.isSuccessful()) {
                throw new LiveKitBreaker.RefusedException("LiveKit refused to dispatch agent " + agent.agentName()
                        + " to room " + name + ": HTTP " + dispatched.code() + " " + errorBody(dispatched),
                        dispatched.code());
            }
        }
    }

    /**
     * Joins the caller's participant (kind SIP, with the decision's identity, name and attributes) and keeps it in
     * the room until the session is closed; {@code ended} hears when LiveKit ends it first.
     */
    public ParticipantSession joinCaller(Decision.Accept accept, Duration tokenLifetime, ScheduledExecutorService timers,
                                         java.util.concurrent.Executor io, Consumer<String> ended) throws Exception {
        Clients api = clients();
        String token = SipParticipantToken.mint(api.connection().apiKey(), api.connection().apiSecret(), accept,
                tokenLifetime);
        return breaker.call("join the caller to " + accept.roomName(),
                () -> ParticipantSession.join(api.url(), token, Duration.ofSeconds(10), timers, io, ended));
    }

    /**
     * The kind of participant {@code identity} in {@code room} (agent, standard, sip…), as LiveKit knows it; empty
     * when no such participant is there. Asked of LiveKit each time: it alone sets a participant's kind, from the
     * token it joined with.
     */
    public java.util.Optional<LivekitModels.ParticipantInfo.Kind> participantKind(String room, String identity)
            throws Exception {
        return breaker.call("look up participant " + identity, () -> {
            Response<LivekitModels.ParticipantInfo> found = clients().rooms().getParticipant(room, identity).execute();
            if (found.code() == 404) {
                return java.util.Optional.<LivekitModels.ParticipantInfo.Kind>empty();
            }
            if (!found.isSuccessful()) {
                throw new LiveKitBreaker.RefusedException("LiveKit refused to describe participant " + identity
                        + " in room " + room + ": HTTP " + found.code() + " " + errorBody(found), found.code());
            }
            return java.util.Optional.of(found.body().getKind());
        });
    }

    private static String errorBody(Response<?> response) {
        try (var body = response.errorBody()) {
            return body == null ? "" : body.string();
        } catch (IOException e) {
            return "";
        }
    }
}
