package io.dialtone.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What benchmarks read about processes and the machine from /proc. */
public final class ProcFs {
    /** USER_HZ, the unit of CPU times in /proc on Linux. */
    public static final long TICKS_PER_SECOND = 100;

    private ProcFs() {
    }

    /** A process's CPU time (user + system, in clock ticks) and resident memory. */
    public record Usage(long cpuTicks, long rssKib) {
        public static Usage of(long pid) throws IOException {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            long rss = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(line -> line.startsWith("VmRSS:")).mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                    .findFirst().orElse(0);
            return new Usage(ticks, rss);
        }

        /** Percent of one core used between {@code before} and this, {@code seconds} apart. */
        public double corePercentSince(Usage before, double seconds) {
            return 100.0 * (cpuTicks - before.cpuTicks) / TICKS_PER_SECOND / seconds;
        }
    }

    /** The whole machine's busy and total CPU ticks, from /proc/stat. */
    public static long[] machineTicks() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < cpu.length; i++) {
            total += Long.parseLong(cpu[i]);
        }
        long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
        return new long[] {total - idle, total};
    }

    /** The machine's busy share in percent between two {@link #machineTicks()} readings. */
    public static double machineBusy(long[] before, long[] after) {
        return 100.0 * (after[0] - before[0]) / Math.max(1, after[1] - before[1]);
    }

    /**
     * CPU ticks per thread name of a process (threads of one pool share a name prefix, e.g. media-clock). Threads
     * that ended are not in it: compare the sum with {@link Usage#cpuTicks()} to see what they used.
     */
    public static Map<String, Long> threadTicks(long pid) throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[-_ ]?\\d+$", "");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
                } catch (IOException gone) {
                    // The thread ended between listing and reading.
                }
            }
        }
        return ticks;
    }

    /**
     * The ten names that used the most CPU between two readings, each as its ticks times {@code scale} (e.g.
     * 100 / TICKS_PER_SECOND / seconds for percent of one core).
     */
    public static String busiest(Map<String, Long> before, Map<String, Long> after, double scale) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(10)
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() * scale))
                .reduce((a, b) -> a + ", " + b).orElse("-");
    }

    /**
     * {@link #busiest}, and what threads that ended between the readings used: the process's CPU the per-thread
     * readings do not account for.
     */
    public static String busiestWithEnded(Usage before, Usage after, Map<String, Long> threadsBefore,
                                          Map<String, Long> threadsAfter, double scale) {
        long counted = threadsAfter.entrySet().stream()
                .mapToLong(e -> e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)).sum();
        long ended = Math.max(0, after.cpuTicks() - before.cpuTicks() - counted);
        return busiest(threadsBefore, threadsAfter, scale) + String.format("; threads that ended %.1f", ended * scale);
    }

    /** The last line of {@code file} that is a JSON object: the result line of the bench's Python helpers. */
    public static String lastJson(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file).stream().filter(line -> line.startsWith("{")).toList();
        if (lines.isEmpty()) {
            throw new AssertionError(file + " has no result:\n" + Files.readString(file));
        }
        return lines.get(lines.size() - 1);
    }
}
