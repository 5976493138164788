package io.dialtone.e2e;

import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Not part of the test suite: bench/media-soak.sh runs it. Many short bridged calls one after the other (sipp, one
 * at a time, each call publishing and subscribing through a real livekit-server in a network namespace), with the
 * gateway's resident memory, threads and descriptors read from /proc after every batch. The heap is fixed and
 * touched up front (-Xms = -Xmx, AlwaysPreTouch), so what RSS still gains is native memory: thread
 * stacks, metaspace, JIT code, and anything a call would leave outside the heap. Prints one BENCH line per batch; fails only if calls fail.
 */
class MediaSoakBenchmark {
    private static final Path DIR = Path.of("target", "media-soak").toAbsolutePath();

    @Test
    void sequentialBridgedCalls() throws Exception {
        NetworkNamespace.assumeAvailable("MediaSoakBenchmark");
        int total = Integer.getInteger("dialtone.bench.calls", 2000);
        int batch = Integer.getInteger("dialtone.bench.batch", 250);
        try (BridgedGateway bridged = BridgedGateway.start(DIR, "rtpPortRange: {min: 20000, max: 29999}, codecs: [PCMU]",
                """
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: soak}
                spec: {answerWhen: joined}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: soak}
                spec:
                  direct: {roomName: soak}
                """, List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"))) {
            SippScenario call = new SippScenario("soak-call").invite("").optional(100).optional(180).expect(200)
                    .ack("1").pause(300).bye("2").expect(200);
            Path scenario = call.write(DIR);
            long pid = bridged.gateway().pid();
            Snapshot start = Snapshot.of(pid);
            System.out.println("BENCH calls | RSS MiB | RSS growth since start, KiB per call | threads | descriptors");
            System.out.println("BENCH 0 | " + start.line(start, 0));
            long began = System.nanoTime();
            for (int done = 0; done < total; done += batch) {
                int calls = Math.min(batch, total - done);
                Processes.Result result = bridged.namespace().run(Sipp.command(scenario, BridgedGateway.GATEWAY + ":5060",
                        BridgedGateway.GATEWAY, 5080, "+15550199", "+15550100", "-l", "1", "-m", String.valueOf(calls),
                        "-timeout", "900s", "-error_file", DIR.resolve("soak.errors").toString()), DIR, 900);
                if (result.exitCode() != 0) {
                    throw new AssertionError("calls " + done + ".." + (done + calls) + " failed:\n" + result.out());
                }
                Thread.sleep(2000);
                System.out.println("BENCH " + (done + calls) + " | " + Snapshot.of(pid).line(start, done + calls));
            }
            System.out.printf("BENCH %d calls in %d s%n", total, (System.nanoTime() - began) / 1_000_000_000L);
            Files.writeString(DIR.resolve("gateway-final.log"), bridged.gatewayLog());
        }
    }

    private record Snapshot(long rssKib, long threads, long descriptors) {
        static Snapshot of(long pid) throws java.io.IOException {
            long rss = 0;
            long threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
                return new Snapshot(rss, threads, fds.count());
            }
        }

        String line(Snapshot start, int calls) {
            return String.format("%.0f | %s | %d | %d", rssKib / 1024.0,
                    calls == 0 ? "-" : String.format("%.0f", (rssKib - start.rssKib) / (double) calls), threads,
                    descriptors);
        }
    }
}
