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
 * @param trunks counters by SipTrunk name; calls that never reached a trunk are under {@link #NO_TRUNK}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StatsDocument(Pod pod, String revision, Instant revisionAppliedAt, boolean draining, Instant startedAt,
                            Counters gateway, Map<String, Counters> trunks, Map<String, Counters> rules) {

    public static final String NO_TRUNK = "(none)";
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

    /** @param rejections rejected calls by reason (the metric label), e.g. no_rule */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Counters(long active, long total, long rejected, Map<String, Long> rejections, Instant lastCallTime) {
        public static final Counters NONE = new Counters(0, 0, 0, Map.of(), null);

        public Counters {
            rejections = rejections == null ? Map.of() : Map.copyOf(rejections);
        }
    }
}
