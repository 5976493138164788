package io.dialtone.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Mirrors LiveKit's SIPHeaderOptions: which request headers become sip.h.* attributes. */
public enum HeaderInclusion {
    none,
    @JsonProperty("x-headers")
    xHeaders,
    all
}
