package io.dialtone.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.Directories;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.ProcFs;
import io.dialtone.e2e.support.ProcFs.Usage;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.PrometheusText;
import io.dialtone.e2e.support.RtpPcap;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import io.dialtone.e2e.support.Toolchain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Not part of the test suite (its name does not end in IT): bench/vs-livekit-sip.sh runs it. Dialtone's gateway
 * and LiveKit's own SIP service (livekit-sip, built elsewhere, its path in {@code dialtone.bench.livekitSip}) side
 * by side in one run, against one livekit-server (with Redis, through which livekit-sip reaches it), the same
 * callers and the same room participants, everything in a network namespace of the bench's own:
 * <ul>
 *   <li>call setup at each rate: sipp's built-in uac (INVITE, 200, ACK, 1 s, BYE) with bench/room-agent joining
 *   every room and publishing, since both gateways answer only once the room has an audio track; gateway CPU per
 *   call over the whole call, INVITE-to-200 p50 and p99, failed calls;</li>
 *   <li>N calls up at once with audio both ways: sipp plays 440 Hz PCMU into each, bench/media/agents.py publishes
 *   1 kHz into each room and reports the loss and jitter of what it hears from the caller, bench/media/rtp_sink.py
 *   hears the phones' side; gateway CPU and RSS over a window with all N calls up;</li>
 *   <li>idle RSS after start.</li>
 * </ul>
 * Each gateway first takes {@code dialtone.bench.warmup} calls (200) at 10 a second, not reported, so the figures
 * are those of a gateway that has been up a while (a fresh JVM spends most of its first calls' CPU compiling). The
 * two take turns at each step, the one that goes first alternating, and each step starts once livekit-server has
 * closed the rooms of the step before. Prints BENCH lines, then the Dialtone / livekit-sip ratios.
 */
class VsLiveKitSipBenchmark {
    private static final Path DIR = Path.of("target", "vs-livekit-sip").toAbsolutePath();
    private static final String LIVEKIT = "10.204.0.1";
    private static final String CALLERS = "10.204.0.2";
    private static final String KEY = "benchkey";
    private static final String SECRET = "bench-secret-0123456789abcdef0123456789";
    private static final String NUMBER = "+15550199";
    private static final String CALLER = "+15550100";
    private static final String PREFIX = "call-";
    /** Where the callers' offers ask for audio: rtp_sink.py listens there, above both gateways' RTP ranges. */
    private static final int SINK_PORT = 30000;
    private static final int SIPP_PORT = 5090;
    /**
     * The gateway's JVM as images/gateway/Dockerfile starts it, in a pod with the 1 GiB memory limit the operator
     * gives gateway pods by default: -XX:MaxRAM makes the JVM size itself as it would under that limit instead of
     * for the whole machine (on 24 GiB it would start with a 384 MiB heap instead of 16 MiB).
     */
    private static final String GATEWAY_JAVA_OPTS =
            "-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=75 -XX:TrimNativeHeapInterval=5000 "
            + "-XX:-UsePerfData -XX:MaxRAM=1g";

    private final ObjectMapper json = new ObjectMapper();
    private NetworkNamespace namespace;

    /** One of the two gateways under test. */
    private record Contender(String name, Process process, String sipTarget, String activeCallsUrl, String metric) {
        long pid() {
            return process.pid();
        }
    }

    /** One setup run: sipp's counts and the rate it kept, INVITE-to-200 of the answered calls, gateway CPU. */
    private record Setup(Sipp.Statistics sipp, long p50, long p99, double cpuMsPerCall, String threads) {
        int attempted() {
            return sipp.attempted();
        }

        int failed() {
            return sipp.failed();
        }
    }

    /**
     * One media run. Loss counts only gaps inside the streams that arrived, so a call that dropped or never reached
     * the room is counted apart: {@link #complete()} says whether every call was up and heard both ways.
     */
    private record Media(int calls, long activeAtStart, long activeAtEnd, double corePercent, double rssMib,
                         JsonNode room, JsonNode phones, double machineBusy, String threads, int window) {
        /** Per call that was up through the window (the fewer of the counts at its start and end). */
        double perCall() {
            return corePercent / Math.max(1, Math.min(calls, Math.min(activeAtStart, activeAtEnd)));
        }

        /** Packets the phones received, as a share of 50 a second from every call over the window. */
        double phonesHeardPercent() {
            return 100.0 * phones.path("packetsReceived").asLong() / ((double) calls * 50 * window);
        }

        boolean complete() {
            return activeAtStart >= calls && activeAtEnd >= calls && room.path("tracks").asInt() >= calls
                    && phones.path("streams").asInt() >= calls && phonesHeardPercent() >= 99.0;
        }
    }

    @Test
    void sideBySide() throws Exception {
        NetworkNamespace.assumeAvailable("VsLiveKitSipBenchmark");
        String livekitSip = System.getProperty("dialtone.bench.livekitSip", "");
        String roomAgent = System.getProperty("dialtone.bench.roomAgent", "");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(livekitSip)) && Files.isExecutable(Path.of(roomAgent)),
                "needs -Ddialtone.bench.livekitSip and -Ddialtone.bench.roomAgent (bench/vs-livekit-sip.sh sets both)");
        int[] rates = ints(System.getProperty("dialtone.bench.rates", "5,10,25"));
        int[] counts = ints(System.getProperty("dialtone.bench.counts", "10,25,50"));
        int setupSeconds = Integer.getInteger("dialtone.bench.setupSeconds", 20);
        int maxSetupCalls = Integer.getInteger("dialtone.bench.setupCalls", 200);
        int warmup = Integer.getInteger("dialtone.bench.warmup", 200);
        int window = Integer.getInteger("dialtone.bench.window", 10);
        int mediaRate = Integer.getInteger("dialtone.bench.mediaRate", 2);
        String javaOpts = System.getProperty("dialtone.bench.gatewayJavaOpts", GATEWAY_JAVA_OPTS);
        Map<String, String> gatewayEnv = environment(System.getProperty("dialtone.bench.gatewayEnv", ""));
        Files.createDirectories(DIR);
        System.out.println("BENCH machine: " + Runtime.getRuntime().availableProcessors() + " cores, load "
                + Files.readString(Path.of("/proc/loadavg")).trim() + "; livekit-sip " + livekitSip
                + "; gateway JVM options " + javaOpts + ", environment " + gatewayEnv);

        try (NetworkNamespace created = NetworkNamespace.create("dvs" + ProcessHandle.current().pid() % 100000,
                LIVEKIT, CALLERS)) {
            namespace = created;
            startLiveKit();
            List<Contender> contenders = List.of(startLiveKitSip(livekitSip), startDialtone(javaOpts, gatewayEnv));
            Thread.sleep(10_000);
            Map<String, Double> idle = new LinkedHashMap<>();
            for (Contender c : contenders) {
                idle.put(c.name(), Usage.of(c.pid()).rssKib() / 1024.0);
            }
            System.out.println("BENCH idle RSS after start (MiB): " + idle);

            Process agent = startRoomAgent(roomAgent);
            for (Contender c : contenders) {
                print("warm-up", c, 10, setup(c, 10, warmup, "warmup"));
            }
            Map<String, Map<Integer, Setup>> setups = new LinkedHashMap<>();
            int step = 0;
            for (int rate : rates) {
                for (Contender c : inTurn(contenders, step++)) {
                    Setup s = setup(c, rate, Math.min(maxSetupCalls, rate * setupSeconds), "setup-" + rate);
                    setups.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(rate, s);
                    print("setup", c, rate, s);
                }
            }
            agent.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);

            Map<String, Map<Integer, Media>> media = new LinkedHashMap<>();
            for (int n : counts) {
                for (Contender c : inTurn(contenders, step++)) {
                    Media m = media(c, n, mediaRate, window);
                    media.computeIfAbsent(c.name(), k -> new LinkedHashMap<>()).put(n, m);
                    System.out.printf("BENCH media %-11s %3d calls (active %d..%d)%s: CPU %.1f %% of a core (%.2f %% per call up), "
                                    + "RSS %.0f MiB | to room: loss %.2f %%, jitter %.1f/%.1f ms (%d tracks) | "
                                    + "to phones: loss %.2f %%, jitter %.1f/%.1f ms, %.1f %% of the packets expected (%d streams) "
                                    + "| machine busy %.0f %%%n", c.name(), n, m.activeAtStart(), m.activeAtEnd(),
                            m.complete() ? "" : " INCOMPLETE", m.corePercent(), m.perCall(), m.rssMib(),
                            m.room().path("lossPercent").asDouble(), m.room().path("jitterMsMean").asDouble(),
                            m.room().path("jitterMsP99").asDouble(), m.room().path("tracks").asInt(),
                            m.phones().path("lossPercent").asDouble(), m.phones().path("jitterMsMean").asDouble(),
                            m.phones().path("jitterMsP99").asDouble(), m.phonesHeardPercent(),
                            m.phones().path("streams").asInt(), m.machineBusy());
                    System.out.println("BENCH   % of a core by thread: " + m.threads());
                }
            }
            report(idle, setups, media, counts);
        }
    }

    private static void print(String what, Contender c, int rate, Setup s) {
        System.out.printf("BENCH %s %-11s %3d calls/s (sipp kept %.1f): attempted %d, failed %d, INVITE->200 p50 %d ms, "
                        + "p99 %d ms, gateway CPU %.1f ms per call%n", what, c.name(), rate, s.sipp().callRate(),
                s.attempted(), s.failed(), s.p50(), s.p99(), s.cpuMsPerCall());
        System.out.println("BENCH   CPU-ms per call by thread: " + s.threads());
    }

    private void report(Map<String, Double> idle, Map<String, Map<Integer, Setup>> setups,
                        Map<String, Map<Integer, Media>> media, int[] counts) {
        String lk = "livekit-sip";
        String dt = "dialtone";
        System.out.println("BENCH");
        System.out.println("BENCH | per call | livekit-sip | Dialtone | Dialtone / livekit-sip |");
        System.out.println("BENCH |---|---:|---:|---:|");
        setups.get(lk).forEach((rate, l) -> {
            Setup d = setups.get(dt).get(rate);
            System.out.printf("BENCH | gateway CPU per call set up, %d calls/s | %.1f ms | %.1f ms | %.2f |%n", rate,
                    l.cpuMsPerCall(), d.cpuMsPerCall(), d.cpuMsPerCall() / l.cpuMsPerCall());
            System.out.printf("BENCH | INVITE->200 p50 / p99, %d calls/s | %d / %d ms | %d / %d ms | %.2f / %.2f |%n",
                    rate, l.p50(), l.p99(), d.p50(), d.p99(), ratio(d.p50(), l.p50()), ratio(d.p99(), l.p99()));
            System.out.printf("BENCH | failed calls, %d calls/s (rate sipp kept) | %d of %d (%.1f/s) | %d of %d (%.1f/s) | |%n",
                    rate, l.failed(), l.attempted(), l.sipp().callRate(), d.failed(), d.attempted(), d.sipp().callRate());
        });
        media.get(lk).forEach((n, l) -> {
            Media d = media.get(dt).get(n);
            System.out.printf("BENCH | gateway CPU per bridged call, %d up | %.2f %%%s | %.2f %%%s | %.2f |%n", n,
                    l.perCall(), l.complete() ? "" : " (incomplete)", d.perCall(), d.complete() ? "" : " (incomplete)",
                    d.perCall() / l.perCall());
            System.out.printf("BENCH | gateway RSS, %d up | %.0f MiB | %.0f MiB | %.2f |%n", n, l.rssMib(), d.rssMib(),
                    d.rssMib() / l.rssMib());
            System.out.printf("BENCH | loss to room / to phone, %d up | %.2f / %.2f %% | %.2f / %.2f %% | |%n", n,
                    l.room().path("lossPercent").asDouble(), l.phones().path("lossPercent").asDouble(),
                    d.room().path("lossPercent").asDouble(), d.phones().path("lossPercent").asDouble());
            System.out.printf("BENCH | jitter to room / to phone (mean), %d up | %.1f / %.1f ms | %.1f / %.1f ms | |%n",
                    n, l.room().path("jitterMsMean").asDouble(), l.phones().path("jitterMsMean").asDouble(),
                    d.room().path("jitterMsMean").asDouble(), d.phones().path("jitterMsMean").asDouble());
        });
        int first = counts[0];
        int last = counts[counts.length - 1];
        if (last > first) {
            double l = (media.get(lk).get(last).rssMib() - media.get(lk).get(first).rssMib()) / (last - first);
            double d = (media.get(dt).get(last).rssMib() - media.get(dt).get(first).rssMib()) / (last - first);
            System.out.printf("BENCH | RSS per added call, %d to %d up | %.2f MiB | %.2f MiB | %.2f |%n", first, last,
                    l, d, d / l);
        }
        System.out.printf("BENCH | idle RSS after start | %.0f MiB | %.0f MiB | %.2f |%n", idle.get(lk), idle.get(dt),
                idle.get(dt) / idle.get(lk));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private void startLiveKit() throws Exception {
        namespace.start(List.of("redis-server", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                "--appendonly", "no"), Map.of(), DIR.resolve("redis.log"));
        BridgedGateway.startLiveKit(namespace, DIR, LIVEKIT, """
                redis: {address: "127.0.0.1:6379"}
                keys: {%s: %s}
                logging: {level: info}
                webhook: {api_key: %s, urls: ["http://127.0.0.1:7990/"]}
                """.formatted(KEY, SECRET, KEY), false);
        awaitAnswer("livekit-server", "http://" + LIVEKIT + ":7880/", "livekit-server.log");
    }

    private Contender startLiveKitSip(String binary) throws Exception {
        Path config = DIR.resolve("livekit-sip.yaml");
        // nat_1_to_1_ip: the address its SDP gives the callers; RTP range apart from Dialtone's.
        Files.writeString(config, """
                log_level: info
                api_key: %s
                api_secret: %s
                ws_url: ws://%s:7880
                redis: {address: "127.0.0.1:6379"}
                sip_port: 5070
                rtp_port: 10000-19999
                nat_1_to_1_ip: %s
                health_port: 8081
                prometheus_port: 6789
                max_cpu_utilization: 1.0
                """.formatted(KEY, SECRET, LIVEKIT, CALLERS));
        Process process = namespace.start(List.of(binary, "--config", config.toString()), Map.of(),
                DIR.resolve("livekit-sip.log"));
        awaitAnswer("livekit-sip", "http://127.0.0.1:8081/", "livekit-sip.log");
        Processes.Result provisioned = namespace.run(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("bench/vs-livekit-sip/provision.py").toString(), "http://" + LIVEKIT + ":7880",
                KEY, SECRET, NUMBER, PREFIX), DIR, 60);
        if (provisioned.exitCode() != 0) {
            throw new IllegalStateException("could not provision livekit-sip's trunk and rule:\n" + provisioned.out()
                    + provisioned.err());
        }
        System.out.println("BENCH livekit-sip: " + provisioned.out().trim());
        return new Contender("livekit-sip", process, CALLERS + ":5070", "http://127.0.0.1:6789/metrics",
                "livekit_sip_calls_active");
    }

    private Contender startDialtone(String javaOpts, Map<String, String> environment) throws Exception {
        // A directory of its own, as a mounted ConfigMap is: the gateway watches the configuration's directory, and
        // the logs written beside it (LiveKit's above all) would wake that watch with every line.
        Path config = Files.createDirectories(DIR.resolve("dialtone-config")).resolve("dialtone.yaml");
        Files.writeString(config, """
                apiVersion: dialtone.io/v1alpha1
                kind: SipGateway
                metadata: {name: bench}
                spec:
                  livekit: {url: "http://%s:7880", apiKey: %s, apiSecret: %s}
                  sip: {port: 5060}
                  media: {rtpPortRange: {min: 20000, max: 29999}, bridgeAudio: true}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: bench}
                spec: {numbers: ["%s"], allowedAddresses: ["%s/32"]}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: room-per-call}
                spec:
                  numbers: ["%s"]
                  individual: {roomPrefix: %s}
                  room: {emptyTimeout: 10s}
                """.formatted(LIVEKIT, KEY, SECRET, NUMBER, CALLERS, NUMBER, PREFIX));
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        command.addAll(List.of("-jar", System.getProperty("dialtone.gateway.jar",
                        Toolchain.root().resolve("gateway/target/dialtone-gateway.jar").toString()),
                "gateway", "--config", config.toString(), "--bind", CALLERS, "--advertise", CALLERS,
                "--admin-bind", CALLERS, "--admin-port", "8080", "--invites-per-second", "0"));
        Process process = namespace.start(command, environment, DIR.resolve("dialtone.log"));
        awaitAnswer("Dialtone", "http://" + CALLERS + ":8080/readyz", "dialtone.log");
        return new Contender("dialtone", process, CALLERS + ":5060", "http://" + CALLERS + ":8080/metrics",
                "dialtone_gateway_active_calls");
    }

    private Process startRoomAgent(String binary) throws Exception {
        Process agent = namespace.start(List.of(binary, "-url", "ws://" + LIVEKIT + ":7880", "-key", KEY, "-secret",
                SECRET, "-prefix", PREFIX, "-listen", "127.0.0.1:7990", "-seconds", "7200"), Map.of(),
                DIR.resolve("room-agent.log"));
        Eventually.until("room-agent listening for webhooks", Duration.ofSeconds(30),
                () -> Files.readString(DIR.resolve("room-agent.log")).contains("webhook on"),
                () -> (agent.isAlive() ? "" : "(it exited)\n") + read("room-agent.log"));
        return agent;
    }

    /**
     * {@code calls} calls at {@code rate} through {@code c}, each held 1 s; CPU counted until all have ended. sipp may
     * keep up to ten seconds' worth of calls in progress, so a slow answer does not lower the rate it keeps.
     */
    private Setup setup(Contender c, int rate, int calls, String label) throws Exception {
        Path dir = Directories.emptied(DIR.resolve(c.name() + "-" + label));
        Usage before = Usage.of(c.pid());
        Map<String, Long> threadsBefore = ProcFs.threadTicks(c.pid());
        namespace.run(List.of("sipp", c.sipTarget(), "-sn", "uac", "-s", NUMBER, "-d", "1000", "-i", CALLERS,
                "-p", String.valueOf(SIPP_PORT), "-r", String.valueOf(rate), "-m", String.valueOf(calls),
                "-l", String.valueOf(rate * 10), "-timeout", (calls / rate + 60) + "s", "-nostdin", "-trace_rtt",
                "-rtt_freq", "1", "-trace_stat", "-fd", "1", "-trace_err"), dir, calls / rate + 120);
        awaitIdle(c);
        Usage after = Usage.of(c.pid());
        Map<String, Long> threadsAfter = ProcFs.threadTicks(c.pid());
        Sipp.Statistics sipp = Sipp.statistics(dir);
        List<Long> rtts = Sipp.responseTimes(dir);
        double msPerTick = 1000.0 / ProcFs.TICKS_PER_SECOND / Math.max(1, sipp.attempted());
        Setup result = new Setup(sipp, quantile(rtts, 0.5), quantile(rtts, 0.99),
                msPerTick * (after.cpuTicks() - before.cpuTicks()),
                ProcFs.busiestWithEnded(before, after, threadsBefore, threadsAfter, msPerTick));
        awaitNoRooms();
        return result;
    }

    /** {@code n} calls up at once with audio both ways; CPU and RSS over {@code window} seconds with all of them up. */
    private Media media(Contender c, int n, int rate, int window) throws Exception {
        Path dir = Directories.emptied(DIR.resolve(c.name() + "-media-" + n));
        int mark = namespace.started();
        int ramp = (n + rate - 1) / rate;
        int agentSeconds = ramp + 5 + window + 30;
        int hold = agentSeconds + 10;
        Process agents = namespace.start(List.of(Toolchain.python().toString(),
                        Toolchain.root().resolve("bench/media/agents.py").toString(), "ws://" + LIVEKIT + ":7880", PREFIX,
                        String.valueOf(n), String.valueOf(agentSeconds)),
                Map.of("PYTHONWARNINGS", "ignore", "LIVEKIT_API_KEY", KEY, "LIVEKIT_API_SECRET", SECRET),
                dir.resolve("agents.out"));
        Path tone = RtpPcap.tone(dir.resolve("tone.pcap"), 440, hold + 2, 8000);
        Path scenario = new SippScenario("hold").inviteWithPcmuAt(SINK_PORT).optional(100).optional(180).optional(183)
                .expect(200).ack("1").playPcap(tone).pause(hold * 1000).bye("2").expect(200).write(dir);
        Process callers = namespace.start(Sipp.command(scenario, c.sipTarget(), CALLERS, SIPP_PORT, NUMBER, CALLER,
                "-r", String.valueOf(rate), "-l", String.valueOf(n), "-m", String.valueOf(n),
                "-timeout", (hold + ramp + 120) + "s"), Map.of(), dir.resolve("sipp.log"));
        settled(Duration.ofSeconds(ramp + 60), Duration.ofMillis(500), () -> activeCalls(c) >= n);
        long up = activeCalls(c);
        Thread.sleep(2000);
        Process sink = namespace.start(List.of(Toolchain.python().toString(),
                Toolchain.root().resolve("bench/media/rtp_sink.py").toString(), CALLERS, String.valueOf(SINK_PORT),
                String.valueOf(window)), Map.of(), dir.resolve("sink.out"));
        Usage before = Usage.of(c.pid());
        Map<String, Long> threadsBefore = ProcFs.threadTicks(c.pid());
        long[] machineBefore = ProcFs.machineTicks();
        long started = System.nanoTime();
        Thread.sleep(window * 1000L);
        Usage after = Usage.of(c.pid());
        Map<String, Long> threadsAfter = ProcFs.threadTicks(c.pid());
        long[] machineAfter = ProcFs.machineTicks();
        double seconds = (System.nanoTime() - started) / 1e9;
        long upAtEnd = activeCalls(c);
        sink.waitFor(30, TimeUnit.SECONDS);
        agents.waitFor(agentSeconds + 60L, TimeUnit.SECONDS);
        callers.waitFor(hold + 120L, TimeUnit.SECONDS);
        namespace.stopStartedSince(mark);
        Media result = new Media(n, up, upAtEnd, after.corePercentSince(before, seconds), after.rssKib() / 1024.0,
                json.readTree(ProcFs.lastJson(dir.resolve("agents.out"))),
                json.readTree(ProcFs.lastJson(dir.resolve("sink.out"))), ProcFs.machineBusy(machineBefore, machineAfter),
                ProcFs.busiestWithEnded(before, after, threadsBefore, threadsAfter,
                        100.0 / ProcFs.TICKS_PER_SECOND / seconds), window);
        awaitIdle(c);
        awaitNoRooms();
        return result;
    }

    private long activeCalls(Contender c) throws Exception {
        return Math.round(PrometheusText.sum(BridgedGateway.get(namespace, DIR, c.activeCallsUrl()), c.metric(), ""));
    }

    /**
     * Waits (up to a minute and a half) until livekit-server has closed every room, which it does some 20 s after
     * the last participant left, so the next step does not share the machine with the last one's rooms.
     */
    private void awaitNoRooms() throws Exception {
        boolean closed = settled(Duration.ofSeconds(90), Duration.ofSeconds(1), () -> {
            Processes.Result rooms = namespace.run(List.of(Toolchain.python().toString(),
                    Toolchain.root().resolve("bench/vs-livekit-sip/provision.py").toString(),
                    "http://" + LIVEKIT + ":7880", KEY, SECRET, "rooms"), DIR, 30);
            return rooms.exitCode() == 0 && rooms.out().trim().equals("0");
        });
        if (!closed) {
            System.out.println("BENCH   (livekit-server still had rooms after 90 s; going on)");
        }
    }

    /**
     * Checks {@code condition} every {@code period} until it holds or {@code timeout} has passed, and says whether it
     * held: for waits the bench goes on after either way. The period is the caller's, since each check is a scrape
     * that costs the machine (and the gateway, whose CPU is being counted) something.
     */
    private static boolean settled(Duration timeout, Duration period, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(period.toMillis());
        }
        return true;
    }

    /** Both contenders, the first going first on even steps and second on odd ones. */
    private static List<Contender> inTurn(List<Contender> contenders, int step) {
        List<Contender> order = new ArrayList<>(contenders);
        if (step % 2 == 1) {
            Collections.reverse(order);
        }
        return order;
    }

    /** Waits (up to a minute) until the gateway has no call left, so the next step starts from the same state. */
    private void awaitIdle(Contender c) throws Exception {
        settled(Duration.ofSeconds(60), Duration.ofMillis(500), () -> activeCalls(c) == 0);
    }

    private void awaitAnswer(String what, String url, String log) {
        Eventually.until(what + " answering " + url, Duration.ofSeconds(60),
                () -> BridgedGateway.answers(namespace, DIR, url), () -> read(log));
    }

    private static long quantile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) (q * sorted.size())));
    }

    /** {@code NAME=value NAME=value}, as GATEWAY_ENV gives them. */
    private static Map<String, String> environment(String assignments) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String assignment : assignments.trim().split("\\s+")) {
            if (!assignment.isEmpty()) {
                int equals = assignment.indexOf('=');
                if (equals < 1) {
                    throw new IllegalArgumentException("GATEWAY_ENV takes NAME=value items, not \"" + assignment + "\"");
                }
                environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            }
        }
        return environment;
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static String read(String log) {
        return BridgedGateway.read(DIR.resolve(log));
    }
}
