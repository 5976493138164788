package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.CallCounts;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The totals a status held when this operator process first saw the resource. Status totals are this base plus
 * what the ledger counted since, which is how counts survive an operator restart.
 */
public record CountBase(long total, Map<String, Long> rejections, String lastCallTime) {
    public static final CountBase ZERO = new CountBase(0, Map.of(), null);

    public static CountBase of(CallCounts status, Map<String, Long> rejections, String lastCallTime) {
        if (status == null) {
            return ZERO;
        }
        return new CountBase(status.totalCalls() == null ? 0 : status.totalCalls(),
                rejections == null ? Map.of() : Map.copyOf(rejections), lastCallTime);
    }

    /** Base plus ledger: the numbers a status shows. */
    public Totals plus(CallLedger.Counts counts) {
        Map<String, Long> merged = new TreeMap<>(rejections);
        counts.rejections().forEach((reason, n) -> merged.merge(reason, n, Long::sum));
        long rejected = merged.values().stream().mapToLong(Long::longValue).sum();
        String last = counts.lastCallTime() == null ? lastCallTime
                : lastCallTime == null || Instant.parse(lastCallTime).isBefore(counts.lastCallTime())
                ? counts.lastCallTime().toString() : lastCallTime;
        return new Totals(counts.active(), total + counts.total(), rejected,
                merged.isEmpty() ? null : new LinkedHashMap<>(merged), last);
    }

    public record Totals(long active, long total, long rejected, Map<String, Long> rejections, String lastCallTime) {
    }
}
