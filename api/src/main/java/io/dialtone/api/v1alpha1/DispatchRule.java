package io.dialtone.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Where an accepted call goes: the LiveKit room, the participant it becomes, and the agents it brings. */
@Group(SipGateway.GROUP)
@Version(SipGateway.VERSION)
@ShortNames("dr")
@Categories("sip")
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ACTIVE", jsonPath = ".status.activeCalls", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "TOTAL", jsonPath = ".status.totalCalls", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "REJECTED", jsonPath = ".status.rejectedCalls", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class DispatchRule extends CustomResource<DispatchRuleSpec, DispatchRuleStatus> implements Namespaced {
}
