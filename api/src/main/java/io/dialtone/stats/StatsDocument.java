package io.dialtone.stats;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.Map;

/**
 * What a gateway's /stats answers (docs/operator.md): who the pod is, the routing revision it runs, whether it
 * drains, and its call counters per trunk and rule since it started. The gateway writes it and the operator reads
 * it, so the shape lives here, next to the resources both sides share. Unknown fields are ignored so an older
 * operator reads a newer gateway.
 *
 * @param sequence how many times the counters changed since the process started: the operator tells a draining
 *                 pod which sequence it has recorded (POST {@link #RECORDED_PATH}), and the pod exits once its last
 *                 one is
 * @param recorded the last sequence the operator said it recorded
 * @param trunks   counters by SipTrunk UID (by name outside a cluster, where resources have none), each naming its
 *                 trunk; calls that never reached a trunk are under {@link #NO_TRUNK}
 * @param rules    counters by DispatchRule UID, likewise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StatsDocument(Pod pod, String revision, Instant revisionAppliedAt, boolean draining, Instant startedAt,
                            long sequence, long recorded, Counters gateway, Map<String, Counters> trunks,
                            Map<String, Counters> rules) {

    public static final String NO_TRUNK = "(none)";
    /** Where the operator posts {@code sequence=N} once it has recorded a pod's counters up to N. */
    public static final String RECORDED_PATH = "/stats/recorded";
    /** The environment variable that holds the bearer token a gateway asks for on /stats. */
    public static final String TOKEN_ENV = "DIALTONE_STATS_TOKEN";
    /** Or the file that holds it, read for each request (a mounted Secret, which may change). */
    public static final String TOKEN_FILE_ENV = "DIALTONE_STATS_TOKEN_FILE";

    public StatsDocument {
        trunks = trunks == null ? Map.of() : Map.copyOf(trunks);
        rules = rules == null ? Map.of() : Map.copyOf(rules);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Pod(String name, String uid) {
    }

    /**
     * @param name       the trunk's or rule's name ("" for the gateway as a whole)
     * @param rejections rejected calls by reason (the metric label), e.g. no_rule
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Counters(String name, long active, long total, long rejected, Map<String, Long> rejections,
                           Instant lastCallTime) {
        public static final Counters NONE = new Counters("", 0, 0, 0, Map.of(), null);

        public Counters {
            name = name == null ? "" : name;
            rejections = rejections == null ? Map.of() : Map.copyOf(rejections);
        }
    }
}
