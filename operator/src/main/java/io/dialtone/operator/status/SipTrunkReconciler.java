package io.dialtone.operator.status;

import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.api.v1alpha1.SipTrunkStatus;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.operator.routing.Compilations;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Writes SipTrunk status; a class of its own because the framework reads the resource type from it. */
@ControllerConfiguration(name = "siptrunk")
public final class SipTrunkReconciler extends RoutedResourceReconciler<SipTrunk, SipTrunkStatus> {
    public SipTrunkReconciler(Compilations compilations, EventRecorder events) {
        super(compilations, events, "SipTrunk", SipTrunk.class, SipTrunkStatus::new, compilations.trunkWakeups());
    }
}
