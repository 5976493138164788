package io.dialtone.operator.gateway;

import io.dialtone.api.v1alpha1.SipGateway;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The autoscaler exists only while spec.autoscaling is set; the workflow deletes it when it is removed. */
public final class AutoscalingEnabled implements Condition<HorizontalPodAutoscaler, SipGateway> {
    @Override
    public boolean isMet(DependentResource<HorizontalPodAutoscaler, SipGateway> dependent, SipGateway gateway,
                         Context<SipGateway> context) {
        return gateway.getSpec().autoscaling() != null;
    }
}
