package io.dialtone.gateway.media;

import java.util.Arrays;
import java.util.Optional;

/**
 * The SDES crypto suites (RFC 4568) the gateway speaks: AES counter mode with a 128-bit key and HMAC-SHA1, with an
 * 80-bit or a 32-bit tag on RTP (SRTCP always carries 80 bits).
 */
public enum SrtpSuite {
    AES_CM_128_HMAC_SHA1_80(10), AES_CM_128_HMAC_SHA1_32(4);

    /** Master key and salt, as a=crypto's inline: carries them. */
    public static final int KEY_BYTES = 16;
    public static final int SALT_BYTES = 14;

    private final int rtpTagBytes;

    SrtpSuite(int rtpTagBytes) {
        this.rtpTagBytes = rtpTagBytes;
    }

    int rtpTagBytes() {
        return rtpTagBytes;
    }

    public static Optional<SrtpSuite> named(String name) {
        return Arrays.stream(values()).filter(suite -> suite.name().equals(name)).findFirst();
    }
}
