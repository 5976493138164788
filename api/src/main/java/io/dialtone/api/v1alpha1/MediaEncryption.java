package io.dialtone.api.v1alpha1;

public enum MediaEncryption {
    disable, allow, require
}
