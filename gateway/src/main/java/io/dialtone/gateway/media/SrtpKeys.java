package io.dialtone.gateway.media;

import java.util.Arrays;

/**
 * The keys of an SDES-keyed call: the suite and tag of the caller's a=crypto line the gateway accepted, the caller's
 * master key and salt (what it sends with) and the gateway's (what it sends with), each 30 bytes.
 */
public record SrtpKeys(SrtpSuite suite, int tag, byte[] remote, byte[] local) {
    public SrtpKeys {
        int length = SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES;
        if (remote.length != length || local.length != length) {
            throw new IllegalArgumentException("SRTP master key and salt are " + length + " bytes");
        }
        remote = remote.clone();
        local = local.clone();
    }

    @Override
    public byte[] remote() {
        return remote.clone();
    }

    @Override
    public byte[] local() {
        return local.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SrtpKeys keys && suite == keys.suite && tag == keys.tag
                && Arrays.equals(remote, keys.remote) && Arrays.equals(local, keys.local);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(suite, tag, Arrays.hashCode(remote), Arrays.hashCode(local));
    }

    /** Never the keys: logs and exceptions print records. */
    @Override
    public String toString() {
        return "SrtpKeys[" + suite + ", tag " + tag + "]";
    }
}
