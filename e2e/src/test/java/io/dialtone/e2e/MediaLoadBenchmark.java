package io.dialtone.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.LatencyProbe;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.ProcFs;
import io.dialtone.e2e.support.ProcFs.Usage;
import io.dialtone.e2e.support.RtpPcap;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Not part of the test suite (its name does not end in IT): bench/media.sh runs it. N concurrent bridged calls
 * through one gateway, everything real and in one network namespace: sipp plays a 440 Hz PCMU pcap into each call
 * (ramping up at a fixed rate), agents.py joins every call's room and publishes 1 kHz into it (one Python LiveKit
 * client for all rooms), rtp_sink.py receives every call's audio as the phones would. Over a steady window with
 * all N calls up it measures the gateway's CPU and RSS from /proc, loss and jitter towards the room (WebRTC's
 * receiver statistics in the agents) and towards the phones (the sink), the gateway's own event=media figures, the
 * CPU of every process on the machine, and mouth-to-ear latency of one more call ({@link LatencyProbe}). Every
 * count runs once per room codec (dialtone.bench.roomCodecs, "auto,opus"), each with a fresh gateway and LiveKit.
 * Prints BENCH lines per N; fails only when the calls cannot be set up at all.
 */
class MediaLoadBenchmark {
    private static final Path DIR = Path.of("target", "media-bench").toAbsolutePath();
    private static final String GATEWAY = BridgedGateway.GATEWAY;
    /**
     * Below the kernel's ephemeral range (32768 and up), where the gateway's sockets toward LiveKit in the same namespace could take
     * the port first; above the gateway's RTP range.
     */
    private static final int SINK_PORT = 30000;
    /** The latency probe's call goes to this number, whose rule puts it in a room of its own. */
    private static final String PROBE_NUMBER = "+15550999";
    private static final int PROBE_PORT = 31000;

    @Test
    void concurrentBridgedCalls() throws Exception {
        NetworkNamespace.assumeAvailable("MediaLoadBenchmark");
        int[] counts = Arrays.stream(System.getProperty("dialtone.bench.calls", "10,50,100,200").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int steady = Integer.getInteger("dialtone.bench.seconds", 20);
        int rate = Integer.getInteger("dialtone.bench.rate", 10);
        for (String roomCodec : System.getProperty("dialtone.bench.roomCodecs", "auto,opus").split(",")) {
            System.out.println("BENCH roomCodec: " + roomCodec);
            run(roomCodec, counts, steady, rate);
        }
    }

    /** Every count through one gateway (and one livekit-server) whose callers go into the rooms as {@code roomCodec}. */
    private static void run(String roomCodec, int[] counts, int steady, int rate) throws Exception {
        try (BridgedGateway bridged = BridgedGateway.start(DIR, "rtpPortRange: {min: 20000, max: 29999}, codecs: [PCMU], "
                + "roomCodec: " + roomCodec, """
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: load}
                spec: {answerWhen: joined, ringingTimeout: 60s}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: room-per-call}
                spec:
                  individual: {roomPrefix: load-}
                  room: {emptyTimeout: 10s}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: latency-probe}
                spec:
                  numbers: ["%s"]
                  direct: {roomName: latency}
                """.formatted(PROBE_NUMBER), List.of("-Xmx1g"))) {
            System.out.println("BENCH calls | machine busy (both cores) | gateway CPU % of one core (per call) | gateway RSS MiB (per call) | "
                    + "to room: loss %, jitter ms mean/p99 | to phones: loss %, jitter ms mean/p99, packets/s per call | "
                    + "gateway: lost/late per call, held ms, queued ms");
            for (int calls : counts) {
                System.out.println("BENCH " + measure(bridged, calls, steady, rate));
                Thread.sleep(15_000);
            }
        }
    }

    private static String measure(BridgedGateway bridged, int calls, int steady, int rate) throws Exception {
        NetworkNamespace namespace = bridged.namespace();
        int ramp = (calls + rate - 1) / rate;
        int settle = 5;
        int hold = ramp + settle + steady + 20;
        long gatewayPid = bridged.gateway().pid();
        Usage idle = Usage.of(gatewayPid);
        int logOffset = bridged.gatewayLog().length();

        Path tone = RtpPcap.tone(DIR.resolve("tone-" + hold + "s.pcap"), 440, hold + 2, 8000);
        Process agents = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("bench/media/agents.py").toString(), bridged.livekitUrl(), "load-",
                        String.valueOf(calls), String.valueOf(ramp + settle + steady)),
                Map.of("PYTHONWARNINGS", "ignore"), DIR.resolve("agents-" + calls + ".out"));
        SippScenario call = new SippScenario("load-" + calls).inviteWithMediaAt(SINK_PORT).optional(100).optional(180)
                .expect(200).ack("1").playPcap(tone).pause(hold * 1000).bye("2").expect(200);
        Path scenario = call.write(DIR);
        List<String> sipp = Sipp.command(scenario, GATEWAY + ":5060", GATEWAY, 5090, "+15550199", "+15550100",
                "-r", String.valueOf(rate), "-l", String.valueOf(calls), "-m", String.valueOf(calls),
                "-timeout", (hold + ramp + 120) + "s", "-error_file", DIR.resolve("load-" + calls + ".errors").toString());
        Process callers = namespace.start(sipp, Map.of(), DIR.resolve("sipp-" + calls + ".log"));

        Thread.sleep((ramp + settle) * 1000L);
        Process sink = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("bench/media/rtp_sink.py").toString(), GATEWAY,
                        String.valueOf(SINK_PORT), String.valueOf(steady)),
                Map.of(), DIR.resolve("sink-" + calls + ".out"));
        Usage before = Usage.of(gatewayPid);
        long[] machineBefore = ProcFs.machineTicks();
        Map<String, Long> threadsBefore = ProcFs.threadTicks(gatewayPid);
        Map<String, Long> processesBefore = processTicks(gatewayPid);
        long activeAtStart = activeCalls(bridged);
        CompletableFuture<LatencyProbe.Result> latency = probeLatency(namespace, bridged.livekitUrl(), calls, steady);
        Thread.sleep(steady * 1000L);
        Usage after = Usage.of(gatewayPid);
        long[] machineAfter = ProcFs.machineTicks();
        Map<String, Long> threadsAfter = ProcFs.threadTicks(gatewayPid);
        Map<String, Long> processesAfter = processTicks(gatewayPid);
        System.out.println("BENCH   where the gateway's CPU went (% of one core, by thread name): "
                + ProcFs.busiest(threadsBefore, threadsAfter, 100.0 / ProcFs.TICKS_PER_SECOND / steady));
        System.out.println("BENCH   where the machine's CPU went (% of one core, by process): "
                + ProcFs.busiest(processesBefore, processesAfter, 100.0 / ProcFs.TICKS_PER_SECOND / steady));
        long activeAtEnd = activeCalls(bridged);
        System.out.println("BENCH   call setup (INVITE to 200 OK, the gateway's setupMs, room + join + bridge): "
                + setupTimes(bridged.gatewayLog().substring(logOffset)));
        System.out.println("BENCH   mouth to ear beside " + calls + " calls: " + latency.get(120, TimeUnit.SECONDS));

        sink.waitFor(30, TimeUnit.SECONDS);
        agents.waitFor(120, TimeUnit.SECONDS);
        callers.waitFor(hold + 180L, TimeUnit.SECONDS);
        // A sipp still holding calls would keep its port and its calls into the next count's measurement.
        for (Process straggler : List.of(sink, agents, callers)) {
            if (straggler.isAlive()) {
                System.out.println("BENCH   (stopped a " + straggler.info().command().orElse("process")
                        + " still running after its time)");
                straggler.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        // Each call logs its event=media line as it is released, just after sipp saw the BYE answered.
        long logged = System.nanoTime() + 10_000_000_000L;
        while (Media.of(bridged.gatewayLog().substring(logOffset)).calls() < calls && System.nanoTime() < logged) {
            Thread.sleep(200);
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode room = json.readTree(ProcFs.lastJson(DIR.resolve("agents-" + calls + ".out")));
        JsonNode phones = json.readTree(ProcFs.lastJson(DIR.resolve("sink-" + calls + ".out")));
        double cpu = after.corePercentSince(before, steady);
        double machineBusy = ProcFs.machineBusy(machineBefore, machineAfter);
        double rssMib = after.rssKib() / 1024.0;
        double rssPerCall = (after.rssKib() - idle.rssKib()) / 1024.0 / calls;
        Media media = Media.of(bridged.gatewayLog().substring(logOffset));
        return String.format("%d (active %d..%d) | %.0f %% | %.0f %% (%.2f %%) | %.0f (+%.2f) | %.2f %%, %.1f/%.1f (%d tracks) | "
                        + "%.2f %%, %.1f/%.1f, %.1f (%d streams) | %.2f/%.2f, %.0f ms, %.0f ms (%d calls logged)",
                calls, activeAtStart, activeAtEnd, machineBusy, cpu, cpu / calls, rssMib, rssPerCall,
                room.path("lossPercent").asDouble(), room.path("jitterMsMean").asDouble(),
                room.path("jitterMsP99").asDouble(), room.path("tracks").asInt(),
                phones.path("lossPercent").asDouble(), phones.path("jitterMsMean").asDouble(),
                phones.path("jitterMsP99").asDouble(), phones.path("packetsPerStreamPerSecond").asDouble(),
                phones.path("streams").asInt(), media.lostPerCall(), media.latePerCall(), media.heldMillis(),
                media.queuedMillis(), media.calls());
    }

    /**
     * One more call, to a room of its own, timed by {@link LatencyProbe} while the load runs (its bursts fall inside
     * the steady window; its three Python processes add a little load of their own).
     */
    private static CompletableFuture<LatencyProbe.Result> probeLatency(NetworkNamespace namespace, String livekitUrl,
                                                                       int calls, int steady) throws Exception {
        int seconds = Math.max(5, steady - 8);
        Path scenario = new SippScenario("probe-" + calls).inviteWithMediaAt(PROBE_PORT).optional(100).optional(180)
                .expect(200).ack("1").pause((seconds + 10) * 1000).bye("2").expect(200).write(DIR);
        List<String> sipp = Sipp.command(scenario, GATEWAY + ":5060", GATEWAY, 5095, PROBE_NUMBER, "+15550998",
                "-m", "1", "-timeout", "120s");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return LatencyProbe.measure(namespace, DIR, livekitUrl, "latency", GATEWAY, PROBE_PORT,
                        "sip_+15550998", seconds,
                        () -> namespace.start(sipp, Map.of(), DIR.resolve("probe-" + calls + ".log")));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    /**
     * CPU ticks of every process on the machine, by what it runs: the gateway, a Python script's name, or the
     * executable's (livekit-server, sipp; "java" is the benchmark's own JVM).
     */
    private static Map<String, Long> processTicks(long gatewayPid) throws java.io.IOException {
        Map<String, Long> ticks = new java.util.HashMap<>();
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    if (used > 0) {
                        ticks.merge(label(process, gatewayPid), used, Long::sum);
                    }
                } catch (java.io.IOException gone) {
                    // The process ended between listing and reading.
                }
            }
        }
        return ticks;
    }

    private static String label(Path process, long gatewayPid) throws java.io.IOException {
        if (process.getFileName().toString().equals(String.valueOf(gatewayPid))) {
            return "gateway";
        }
        String[] command = new String(Files.readAllBytes(process.resolve("cmdline"))).split("\0");
        String executable = Path.of(command[0].isEmpty() ? "?" : command[0]).getFileName().toString();
        if (executable.startsWith("python") || executable.equals("env")) {
            for (String argument : command) {
                if (argument.endsWith(".py")) {
                    return Path.of(argument).getFileName().toString();
                }
            }
        }
        return executable;
    }

    /** p50 and p99 of setupMs over the load's calls (rooms load-...), from their event=answered lines. */
    private static String setupTimes(String log) {
        List<Long> setups = log.lines().filter(line -> line.contains("event=answered") && line.contains("room=load-"))
                .map(line -> java.util.regex.Pattern.compile("setupMs=(\\d+)").matcher(line))
                .filter(java.util.regex.Matcher::find).map(match -> Long.parseLong(match.group(1))).sorted().toList();
        if (setups.isEmpty()) {
            return "no call answered";
        }
        return String.format("p50 %d ms, p99 %d ms over %d calls", setups.get(setups.size() / 2),
                setups.get(Math.min(setups.size() - 1, (int) (setups.size() * 0.99))), setups.size());
    }

    private static long activeCalls(BridgedGateway bridged) throws Exception {
        var result = bridged.namespace().run(List.of(Toolchain.python().toString(), "-c",
                "import urllib.request; print(urllib.request.urlopen('http://" + GATEWAY + ":8080/stats', timeout=5)"
                        + ".read().decode())"), DIR, 15);
        return new ObjectMapper().readTree(result.out()).path("gateway").path("active").asLong(-1);
    }

    /** Averages of the gateway's event=media lines (one per call, logged when it ends). */
    private record Media(int calls, double lostPerCall, double latePerCall, double heldMillis, double queuedMillis) {
        private static final Pattern LINE = Pattern.compile("event=media .*toRoomLost=(\\d+) toRoomLate=(\\d+) .*"
                + "toRoomHeldMs=(\\d+) toPhonePackets=\\d+ toPhoneQueuedMs=(\\d+)");

        static Media of(String log) {
            List<long[]> values = new ArrayList<>();
            for (String line : log.lines().toList()) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    values.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
                }
            }
            int n = Math.max(1, values.size());
            return new Media(values.size(), values.stream().mapToLong(v -> v[0]).sum() / (double) n,
                    values.stream().mapToLong(v -> v[1]).sum() / (double) n,
                    values.stream().mapToLong(v -> v[2]).sum() / (double) n,
                    values.stream().mapToLong(v -> v[3]).sum() / (double) n);
        }
    }
}
