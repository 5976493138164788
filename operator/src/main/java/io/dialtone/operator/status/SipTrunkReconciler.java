package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.api.v1alpha1.SipTrunkStatus;
import io.dialtone.operator.events.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.List;
import java.util.Map;

@ControllerConfiguration(name = "siptrunk")
public final class SipTrunkReconciler extends RoutedResourceReconciler<SipTrunk, SipTrunkStatus> {
    public SipTrunkReconciler(GatewayRegistry registry, EventRecorder events) {
        super(registry, events, "SipTrunk", SipTrunk.class);
    }

    @Override
    protected String gatewayRef(SipTrunk trunk) {
        return trunk.getSpec() == null ? null : trunk.getSpec().gatewayRef();
    }

    @Override
    protected List<Condition> conditions(SipTrunkStatus status) {
        return status.conditions();
    }

    @Override
    protected Map<String, Long> rejections(SipTrunkStatus status) {
        return status.rejections();
    }

    @Override
    protected String lastCallTime(SipTrunkStatus status) {
        return status.lastCallTime();
    }

    @Override
    protected SipTrunkStatus status(Long observedGeneration, CountBase.Totals totals, List<Condition> conditions) {
        return new SipTrunkStatus(observedGeneration, totals.active(), totals.total(), totals.rejected(),
                totals.rejections(), totals.lastCallTime(), conditions);
    }

    @Override
    protected void register(SimpleInboundEventSource<SipTrunk> wakeups) {
        registry.useTrunkEvents(wakeups);
    }
}
