package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.LiveKitServer;
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
    void aWrongSecretIsRefused() throws Exception {
        RoomServiceClient forged = RoomServiceClient.createClient(server.httpUrl(), LiveKitServer.API_KEY, "not-the-secret");
        assertThat(forged.listRooms().execute().code()).isEqualTo(401);
    }
}
