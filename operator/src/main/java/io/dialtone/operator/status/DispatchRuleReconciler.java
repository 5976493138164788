package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.DispatchRuleStatus;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.operator.routing.Compilations;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Writes DispatchRule status; a class of its own because the framework reads the resource type from it. */
@ControllerConfiguration(name = "dispatchrule")
public final class DispatchRuleReconciler extends RoutedResourceReconciler<DispatchRule, DispatchRuleStatus> {
    public DispatchRuleReconciler(Compilations compilations, EventRecorder events) {
        super(compilations, events, "DispatchRule", DispatchRule.class, DispatchRuleStatus::new, compilations.ruleWakeups());
    }
}
