package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.DispatchRuleStatus;
import io.dialtone.operator.events.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.List;
import java.util.Map;

@ControllerConfiguration(name = "dispatchrule")
public final class DispatchRuleReconciler extends RoutedResourceReconciler<DispatchRule, DispatchRuleStatus> {
    public DispatchRuleReconciler(GatewayRegistry registry, EventRecorder events) {
        super(registry, events, "DispatchRule", DispatchRule.class);
    }

    @Override
    protected String gatewayRef(DispatchRule rule) {
        return rule.getSpec() == null ? null : rule.getSpec().gatewayRef();
    }

    @Override
    protected List<Condition> conditions(DispatchRuleStatus status) {
        return status.conditions();
    }

    @Override
    protected Map<String, Long> rejections(DispatchRuleStatus status) {
        return status.rejections();
    }

    @Override
    protected String lastCallTime(DispatchRuleStatus status) {
        return status.lastCallTime();
    }

    @Override
    protected DispatchRuleStatus status(Long observedGeneration, CountBase.Totals totals, List<Condition> conditions) {
        return new DispatchRuleStatus(observedGeneration, totals.active(), totals.total(), totals.rejected(),
                totals.rejections(), totals.lastCallTime(), conditions);
    }

    @Override
    protected void register(SimpleInboundEventSource<DispatchRule> wakeups) {
        registry.useRuleEvents(wakeups);
    }
}
