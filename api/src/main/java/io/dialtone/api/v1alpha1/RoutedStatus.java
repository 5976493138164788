package io.dialtone.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;

/** The status SipTrunks and DispatchRules share: call counts by reason, the last call, and conditions. */
public interface RoutedStatus extends CallCounts {
    Long observedGeneration();

    Map<String, Long> rejections();

    String lastCallTime();

    List<Condition> conditions();
}
