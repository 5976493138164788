package io.dialtone.api.v1alpha1;

/** Phone-side audio codecs, named as in SDP. */
public enum Codec {
    PCMU, PCMA, G722
}
