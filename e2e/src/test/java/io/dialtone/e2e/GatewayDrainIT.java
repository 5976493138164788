package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.LiveKitServer;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** SIGTERM as Kubernetes sends it: readiness goes false, new calls get 503, the call in progress finishes, exit 0. */
class GatewayDrainIT {
    private static final Path DIR = Path.of("target", "gateway-drain-it").toAbsolutePath();

    @Test
    void sigtermDrainsWithoutDroppingTheCallInProgress() throws Exception {
        Files.createDirectories(DIR);
        try (LiveKitServer livekit = LiveKitServer.start(DIR.resolve("livekit"))) {
            Path config = DIR.resolve("gateway.yaml");
            Files.writeString(config, GatewaySignallingIT.configYaml(livekit.httpUrl(), ""));
            try (GatewayProcess gateway = GatewayProcess.start(config, DIR.resolve("gateway"), "--media-timeout", "60s")) {
                SippScenario longCall = new SippScenario("long-call").invite("").optional(100).optional(180)
                        .expect(200).ack("1").pause(5000).bye("2").expect(200);
                Path longFile = longCall.write(DIR.resolve("sipp"));
                CompletableFuture<Processes.Result> call = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Sipp.call(longFile, gateway.sipPort(), "+15550199", "+15550100", 20);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                gateway.awaitLog("event=answered", Duration.ofSeconds(15));

                CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                    try {
                        return gateway.terminate(Duration.ofSeconds(30));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                gateway.awaitLog("draining: new INVITEs get 503", Duration.ofSeconds(15));
                assertThat(gateway.get("/readyz").statusCode()).isEqualTo(503);

                SippScenario refused = new SippScenario("while-draining").invite("").optional(100)
                        .expect(503, "Reason: SIP;cause=503;text=\"Gateway draining\"").ackRejection("1");
                Path refusedFile = refused.write(DIR.resolve("sipp"));
                Processes.Result newCall = Sipp.call(refusedFile, gateway.sipPort(), "+15550199", "+15550101", 10);
                assertThat(newCall.exitCode()).as(Sipp.messages(refusedFile)).isZero();

                assertThat(call.get().exitCode()).as("the call in progress: %s", Sipp.messages(longFile)).isZero();
                assertThat(exit.get()).as(gateway.log()).isZero();
                assertThat(gateway.log()).contains("drained").contains("exiting");
            }
        }
    }
}
