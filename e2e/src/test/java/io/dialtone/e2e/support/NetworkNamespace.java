package io.dialtone.e2e.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace of the test's own with a veth pair inside it, so WebRTC (which ignores loopback) has
 * addresses to use while every packet stays on this machine and off its external interface (docs/architecture.md, "Media").
 * Processes started through it run inside; closing stops them and deletes the namespace.
 */
public final class NetworkNamespace implements AutoCloseable {
    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** Skips {@code test} with one line saying why, where this machine cannot make a namespace. */
    public static void assumeAvailable(String test) {
        String unavailable = unavailableBecause();
        if (unavailable != null) {
            String reason = test + " skipped: it needs a network namespace of its own (" + unavailable + ")";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
    }

    /** Whether this machine lets the test make one (root, with the ip tool); the reason when it does not. */
    public static String unavailableBecause() {
        try {
            String probe = "dialtone-probe-" + ProcessHandle.current().pid();
            Processes.Result added = Processes.run(List.of("ip", "netns", "add", probe), Path.of("."), 10);
            if (added.exitCode() != 0) {
                return "ip netns add failed: " + added.err().trim();
            }
            Processes.run(List.of("ip", "netns", "del", probe), Path.of("."), 10);
            return null;
        } catch (IOException | InterruptedException | IllegalStateException e) {
            return "cannot run ip: " + e.getMessage();
        }
    }

    /** @param first the address of one end of the pair, {@code second} of the other, both /24 */
    public static NetworkNamespace create(String name, String first, String second) throws Exception {
        NetworkNamespace namespace = new NetworkNamespace(name);
        run("ip", "netns", "del", name);
        ip("netns", "add", name);
        try {
            ip("link", "add", name + "0", "type", "veth", "peer", "name", name + "1");
            ip("link", "set", name + "0", "netns", name);
            ip("link", "set", name + "1", "netns", name);
            ip("-n", name, "addr", "add", first + "/24", "dev", name + "0");
            ip("-n", name, "addr", "add", second + "/24", "dev", name + "1");
            ip("-n", name, "link", "set", name + "0", "up");
            ip("-n", name, "link", "set", name + "1", "up");
            ip("-n", name, "link", "set", "lo", "up");
        } catch (Exception e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /**
     * A namespace plugged into an existing bridge (the one-node cluster's, scripts/cluster.sh): one veth end inside
     * with {@code address}/16 and a default route via {@code gateway} (the node, which routes to Services and pods),
     * the other end a port of {@code bridge}. What runs inside sees only that address, so WebRTC inside never
     * offers the machine's external address.
     */
    public static NetworkNamespace onBridge(String name, String bridge, String address, String gateway)
            throws Exception {
        return withOuterEnd(name, address + "/16", () -> {
            ip("link", "set", name + "h", "master", bridge);
            ip("link", "set", name + "h", "up");
            ip("-n", name, "route", "add", "default", "via", gateway);
        });
    }

    /** The rest of a namespace's set-up, after its veth pair is there. */
    @FunctionalInterface
    private interface Steps {
        void run() throws Exception;
    }

    /**
     * A namespace with a veth pair whose end {@code NAMEn} is inside with {@code inside} (address/prefix) and up,
     * and whose end {@code NAMEh} is left outside for {@code outer} to wire; anything of the name left from an
     * earlier run is deleted first, and a failed set-up deletes what it made.
     */
    private static NetworkNamespace withOuterEnd(String name, String inside, Steps outer) throws Exception {
        NetworkNamespace namespace = new NetworkNamespace(name);
        run("ip", "netns", "del", name);
        run("ip", "link", "del", name + "h");
        ip("netns", "add", name);
        try {
            ip("link", "add", name + "h", "type", "veth", "peer", "name", name + "n");
            ip("link", "set", name + "n", "netns", name);
            ip("-n", name, "addr", "add", inside, "dev", name + "n");
            ip("-n", name, "link", "set", name + "n", "up");
            ip("-n", name, "link", "set", "lo", "up");
            outer.run();
        } catch (Exception e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /**
     * A namespace joined to this test's own process by a veth pair: {@code inside}/24 on the end in the namespace,
     * {@code host}/24 on the end left outside, so code in the test's JVM (which cannot enter a namespace) talks to
     * what runs inside over a link the test made, never over loopback's view of the external address.
     */
    public static NetworkNamespace withHostEnd(String name, String inside, String host) throws Exception {
        return withOuterEnd(name, inside + "/24", () -> {
            ip("addr", "add", host + "/24", "dev", name + "h");
            ip("link", "set", name + "h", "up");
        });
    }

    /** Starts a command inside, with extra environment, output to {@code log}. */
    public Process start(List<String> command, Map<String, String> environment, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name, "env"));
        environment.forEach((key, value) -> full.add(key + "=" + value));
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return process;
    }

    /** How many processes were started through it so far: a mark for {@link #stopStartedSince}. */
    public int started() {
        return processes.size();
    }

    /**
     * Stops what was started since {@code mark} and is still running, and waits for it: what one attempt of a test
     * left (a sipp still calling, a listener on a fixed port) must not meet the next attempt.
     */
    public void stopStartedSince(int mark) throws InterruptedException {
        List<Process> since = processes.subList(mark, processes.size());
        for (Process process : since) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : since) {
            process.waitFor();
        }
        since.clear();
    }

    /** Runs a command inside to completion. */
    public Processes.Result run(List<String> command, Path dir, long seconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return Processes.run(full, dir, seconds);
    }

    @Override
    public void close() throws Exception {
        stopStartedSince(0);
        run("ip", "netns", "del", name);
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Processes.Result result = Processes.run(command, Path.of("."), 10);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + result.err().trim());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Processes.run(List.of(command), Path.of("."), 10);
    }
}
