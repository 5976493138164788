package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SIP user agents the gateway tests drive are real and work on loopback. */
class SipToolsIT {

    @Test
    void sippCompletesACallBetweenAUacAndAUasOnLoopback() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "sip-tools-it"));
        int uasPort = Ports.free();
        Process uas = Processes.start(List.of("sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", String.valueOf(uasPort),
                "-m", "1", "-nostdin", "-timeout", "30s"), dir);

        Processes.Result uac = Processes.run(List.of("sipp", "-sn", "uac", "127.0.0.1:" + uasPort, "-i", "127.0.0.1",
                "-p", String.valueOf(Ports.free()), "-m", "1", "-d", "100", "-timeout", "15s", "-nostdin",
                "-trace_screen"), dir, 30);
        assertThat(uac.exitCode()).as("sipp uac: %s%s", uac.out(), uac.err()).isZero();
        Processes.Result uasDone = Processes.await(uas, 30);
        assertThat(uasDone.exitCode()).as("sipp uas: %s", uasDone.err()).isZero();
        try (var screens = Files.list(dir)) {
            String screen = Files.readString(screens.filter(p -> p.getFileName().toString().startsWith("uac_"))
                    .filter(p -> p.toString().endsWith("_screen.log")).findFirst().orElseThrow());
            assertThat(screen).containsPattern("Successful call\\s+\\|\\s+\\d+\\s+\\|\\s+1");
        }
    }

    @Test
    void baresipIsInstalled() throws Exception {
        Processes.Result help = Processes.run(List.of("baresip", "-h"), Path.of("."), 10);
        assertThat(help.out() + help.err()).contains("Usage: baresip");
    }
}
