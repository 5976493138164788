package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Toolchain;
import io.livekit.server.RoomServiceClient;
import java.nio.file.Path;
import java.util.List;
import livekit.LivekitModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import retrofit2.Response;

/** The pinned livekit-server is real: rooms made through the server SDK's Twirp API exist and go away. */
class LiveKitServerIT {
    private static LiveKitServer server;
    private static RoomServiceClient rooms;

    @BeforeAll
    static void start() throws Exception {
        server = LiveKitServer.start(Path.of("target", "livekit-server-it"));
        rooms = RoomServiceClient.createClient(server.httpUrl(), LiveKitServer.API_KEY, LiveKitServer.API_SECRET);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void roomsAreCreatedListedAndDeletedThroughTheServerSdk() throws Exception {
        Response<LivekitModels.Room> created = rooms.createRoom("smoke-room", 60, 5, null, "{\"smoke\":true}").execute();
        assertThat(created.isSuccessful()).as("createRoom: %s", created).isTrue();
        assertThat(created.body().getName()).isEqualTo("smoke-room");
        assertThat(created.body().getMaxParticipants()).isEqualTo(5);

        List<LivekitModels.Room> listed = rooms.listRooms().execute().body();
        assertThat(listed).extracting(LivekitModels.Room::getName).contains("smoke-room");
        assertThat(listed).filteredOn(r -> r.getName().equals("smoke-room"))
                .extracting(LivekitModels.Room::getMetadata).containsExactly("{\"smoke\":true}");

        assertThat(rooms.deleteRoom("smoke-room").execute().isSuccessful()).isTrue();
        assertThat(rooms.listRooms().execute().body()).extracting(LivekitModels.Room::getName).doesNotContain("smoke-room");
    }

    @Test
    void thePythonClientReachesTheSameServer() throws Exception {
        assertThat(rooms.createRoom("python-sees-me").execute().isSuccessful()).isTrue();
        String script = """
                import asyncio, sys
                from livekit import api
                async def main():
                    lk = api.LiveKitAPI(sys.argv[1], sys.argv[2], sys.argv[3])
                    rooms = await lk.room.list_rooms(api.ListRoomsRequest())
                    print(" ".join(sorted(r.name for r in rooms.rooms)))
                    token = api.AccessToken(sys.argv[2], sys.argv[3]).with_identity("probe") \
                        .with_grants(api.VideoGrants(room_join=True, room="python-sees-me")).to_jwt()
                    print("token", len(token.split(".")))
                    await lk.aclose()
                asyncio.run(main())
                """;
        Processes.Result result = Processes.run(List.of(Toolchain.python().toString(), "-c", script, server.httpUrl(),
                LiveKitServer.API_KEY, LiveKitServer.API_SECRET), Path.of("."), 60);
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("python-sees-me").contains("token 3");
    }

    @Test
    void aWrongSecretIsRefused() throws Exception {
        RoomServiceClient forged = RoomServiceClient.createClient(server.httpUrl(), LiveKitServer.API_KEY, "not-the-secret");
        assertThat(forged.listRooms().execute().code()).isEqualTo(401);
    }
}
