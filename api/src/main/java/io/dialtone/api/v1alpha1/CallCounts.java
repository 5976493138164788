package io.dialtone.api.v1alpha1;

/** The call counters every status carries, so printer columns and the operator treat them alike. */
public interface CallCounts {
    Long activeCalls();

    Long totalCalls();

    Long rejectedCalls();
}
