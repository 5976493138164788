package io.dialtone.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a status's conditions. A condition keeps its lastTransitionTime while its status stays the same, so an
 * unchanged resource produces an identical status and the operator does not write it again.
 */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private final List<Condition> previous;
    private final long generation;
    private final List<Condition> next = new ArrayList<>();

    public Conditions(List<Condition> previous, Long generation) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation == null ? 0 : generation;
    }

    public Conditions set(String type, boolean status, String reason, String message) {
        return set(type, status ? TRUE : FALSE, reason, message);
    }

    public Conditions set(String type, String status, String reason, String message) {
        String since = previous.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).findFirst()
                .orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        next.add(new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(since).build());
        return this;
    }

    public List<Condition> build() {
        return List.copyOf(next);
    }
}
