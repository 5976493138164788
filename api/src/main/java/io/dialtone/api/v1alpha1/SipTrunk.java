package io.dialtone.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Who may call in: the numbers, sources and credentials a carrier uses to reach a gateway. */
@Group(SipGateway.GROUP)
@Version(SipGateway.VERSION)
@ShortNames("st")
@Categories("sip")
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ACTIVE", jsonPath = ".status.activeCalls", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "TOTAL", jsonPath = ".status.totalCalls", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "REJECTED", jsonPath = ".status.rejectedCalls", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class SipTrunk extends CustomResource<SipTrunkSpec, SipTrunkStatus> implements Namespaced {
}
