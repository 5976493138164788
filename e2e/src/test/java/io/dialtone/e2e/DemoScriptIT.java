package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, scripts/demo.sh, as a new user runs it: the caller's tone must be heard in the room,
 * the room's tone at the phone, and the call counted.
 */
class DemoScriptIT {
    private static final Path DIR = Path.of("target", "demo-script-it").toAbsolutePath();

    @Test
    void theDemoPlacesACallAndShowsItCounted() throws Exception {
        Files.createDirectories(DIR);
        Path output = DIR.resolve("demo.out");
        ProcessBuilder builder = new ProcessBuilder(Toolchain.root().resolve("scripts/demo.sh").toString(), "--once")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("DIALTONE_DEMO_DIR", DIR.resolve("work").toString());
        Process demo = builder.start();
        if (!demo.waitFor(5, TimeUnit.MINUTES)) {
            demo.destroy();
            demo.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("scripts/demo.sh --once did not finish in 5 minutes:\n" + Files.readString(output));
        }
        String out = Files.readString(output);
        assertThat(demo.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("room sip-call-_\\+15550100_[0-9A-Za-z]{12}")
                .contains("participant sip_+15550100 (Phone +15550100), sip.callStatus=active")
                .containsPattern("phone -> room: the room heard sip_\\+15550100 for [0-9.]+ s at RMS level [0-9]+ "
                        + "\\(of 32767\\), [0-9]+ % of its power at 440 Hz")
                .containsPattern("room -> phone: the phone heard [0-9.]+ s of the room at RMS level [0-9]+ "
                        + "\\(of 32767\\), [0-9]+ % of its power at 1 kHz")
                .containsPattern("siptrunk.dialtone.io/any-caller +\\S+ +0 +True +0 +1")
                .containsPattern("dispatchrule.dialtone.io/room-per-caller +\\S+ +0 +True +0 +1")
                .contains("Stopping everything the demo started");
        // What it started outlives it only as listeners; none must be left.
        for (int port : new int[] {6443, 7880, 8080, 8081, 23790}) {
            assertThat(Ports.accepts(port)).as("something still listens on 127.0.0.1:%d after the demo", port)
                    .isFalse();
        }
    }
}
