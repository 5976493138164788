package io.dialtone.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Mouth-to-ear latency through the gateway, side by side with WebRTC's own room-to-room path, with latency.py: a
 * phone sends a tone burst every second into a bridged call and notes when the room's bursts arrive; an agent
 * publishes bursts into the room; an ear in the room hears both the caller's and the agent's. Phone to room and room
 * to phone go through the gateway; agent to ear is the same LiveKit room without it, so the difference is what being
 * on the phone through Dialtone adds over being a WebRTC participant (both include LiveKit, Opus and a receiver's
 * jitter buffer; the phone paths add the gateway's jitter buffer, queue, G.711 and the 20 ms RTP framing).
 */
public final class LatencyProbe {
    /** Bursts more than this after one was sent are not its arrival (they come every second). */
    private static final double MATCH_WINDOW = 0.6;

    private LatencyProbe() {
    }

    /** Latencies of one path in milliseconds. */
    public record Spread(int bursts, int heard, double median, double p90, double min, double max) {
        static Spread of(List<Double> sent, List<Double> heard) {
            List<Double> delays = new ArrayList<>();
            for (double at : sent) {
                heard.stream().filter(h -> h >= at && h < at + MATCH_WINDOW).findFirst()
                        .ifPresent(h -> delays.add((h - at) * 1000));
            }
            delays.sort(Double::compare);
            if (delays.isEmpty()) {
                return new Spread(sent.size(), 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Spread(sent.size(), delays.size(), percentile(delays, 50), percentile(delays, 90),
                    delays.get(0), delays.get(delays.size() - 1));
        }

        private static double percentile(List<Double> sorted, int percent) {
            return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
        }

        @Override
        public String toString() {
            return "%.0f ms median, %.0f p90, %.0f–%.0f (%d of %d bursts)".formatted(median, p90, min, max, heard,
                    bursts);
        }
    }

    /** The three paths, and what the gateway's two add over room to room. */
    public record Result(Spread phoneToRoom, Spread roomToPhone, Spread roomToRoom) {
        public double addedToRoom() {
            return phoneToRoom.median - roomToRoom.median;
        }

        public double addedToPhone() {
            return roomToPhone.median - roomToRoom.median;
        }

        @Override
        public String toString() {
            return ("phone -> room %s; room -> phone %s; room -> room (WebRTC, no gateway) %s; added by the phone "
                    + "side through the gateway, medians: %+.0f ms to the room, %+.0f ms to the phone")
                    .formatted(phoneToRoom, roomToPhone, roomToRoom, addedToRoom(), addedToPhone());
        }
    }

    /**
     * @param phone    where the call's offer puts the caller's media (the phone listens and sends there)
     * @param caller   the SIP participant's identity in the room
     * @param dial     starts the call whose offer names {@code phone}; it must last {@code seconds} and some more
     */
    public static Result measure(NetworkNamespace namespace, Path dir, String livekitUrl, String room, String address,
                                 int phone, String caller, int seconds, Callable<Process> dial) throws Exception {
        String script = Toolchain.root().resolve("e2e/src/test/resources/media/latency.py").toString();
        String python = Toolchain.python().toString();
        Map<String, String> quiet = Map.of("PYTHONWARNINGS", "ignore");
        Path earOut = dir.resolve("latency-ear.out");
        Path agentOut = dir.resolve("latency-agent.out");
        Path phoneOut = dir.resolve("latency-phone.out");
        Process ear = namespace.start(List.of(python, script, "ear", livekitUrl, room, String.valueOf(seconds + 8)),
                quiet, earOut);
        Process agent = namespace.start(List.of(python, script, "agent", livekitUrl, room,
                String.valueOf(seconds + 4)), quiet, agentOut);
        Process phoneSide = namespace.start(List.of(python, script, "phone", address, String.valueOf(phone),
                String.valueOf(seconds + 4)), quiet, phoneOut);
        Process call = dial.call();
        try {
            for (Process each : List.of(phoneSide, agent, ear)) {
                if (!each.waitFor(seconds + 60, TimeUnit.SECONDS)) {
                    throw new AssertionError("a latency probe did not finish; see " + dir);
                }
            }
        } finally {
            call.waitFor(30, TimeUnit.SECONDS);
            for (Process each : List.of(ear, agent, phoneSide, call)) {
                each.destroy();
            }
        }
        JsonNode heardInRoom = ScriptResult.of(earOut, "latency.py ear").path("heard");
        JsonNode phoneResult = ScriptResult.of(phoneOut, "latency.py phone");
        List<Double> agentSent = times(ScriptResult.of(agentOut, "latency.py agent").path("sent"));
        return new Result(Spread.of(times(phoneResult.path("sent")), times(heardInRoom.path(caller))),
                Spread.of(agentSent, times(phoneResult.path("heard"))),
                Spread.of(agentSent, times(heardInRoom.path("agent"))));
    }

    private static List<Double> times(JsonNode array) {
        List<Double> times = new ArrayList<>();
        array.forEach(node -> times.add(node.asDouble()));
        return times;
    }
}
