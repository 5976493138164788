package io.dialtone.api.v1alpha1;

/** A spec that belongs to one SipGateway: SipTrunk and DispatchRule. */
public interface GatewayMember {
    /** The SipGateway by name; null means the namespace's only one. */
    String gatewayRef();
}
