package io.dialtone.api.v1alpha1;

/** Lower case so the YAML reads like SIP's own transport parameter. */
public enum SipTransport {
    udp, tcp, tls
}
