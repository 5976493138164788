package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class G711Test {
    @Test
    void knownCodesOfTheRecommendation() {
        assertThat(G711.encodeUlaw((short) 0)).isEqualTo((byte) 0xFF);
        assertThat(G711.decodeUlaw((byte) 0xFF)).isZero();
        assertThat(G711.decodeUlaw((byte) 0x00)).isEqualTo((short) -32124);
        assertThat(G711.decodeUlaw((byte) 0x80)).isEqualTo((short) 32124);
        assertThat(G711.encodeAlaw((short) 0)).isEqualTo((byte) 0xD5);
        assertThat(G711.decodeAlaw((byte) 0xD5)).isEqualTo((short) 8);
        assertThat(G711.decodeAlaw((byte) 0x55)).isEqualTo((short) -8);
        assertThat(G711.decodeAlaw((byte) 0xAA)).isEqualTo((short) 32256);
    }

    @Test
    void everySampleComesBackWithinHalfAQuantisationStep() {
        for (int sample = Short.MIN_VALUE; sample <= Short.MAX_VALUE; sample++) {
            int magnitude = Math.min(Math.abs(sample), 32124);
            // Steps double each segment: 8 (µ) or 16 (A) at the bottom, up to 1024 at the top; clipping adds the rest.
            int allowed = Math.max(16, magnitude / 16) + Math.max(0, Math.abs(sample) - 32124);
            assertThat(Math.abs(G711.decodeUlaw(G711.encodeUlaw((short) sample)) - sample)).as("µ-law %d", sample)
                    .isLessThanOrEqualTo(allowed);
            assertThat(Math.abs(G711.decodeAlaw(G711.encodeAlaw((short) sample)) - sample)).as("A-law %d", sample)
                    .isLessThanOrEqualTo(allowed);
        }
    }

    @Test
    void encodingADecodedCodeGivesTheSameSampleBack() {
        for (int code = 0; code < 256; code++) {
            short ulaw = G711.decodeUlaw((byte) code);
            assertThat(G711.decodeUlaw(G711.encodeUlaw(ulaw))).as("µ-law code %02x", code).isEqualTo(ulaw);
            short alaw = G711.decodeAlaw((byte) code);
            assertThat(G711.decodeAlaw(G711.encodeAlaw(alaw))).as("A-law code %02x", code).isEqualTo(alaw);
        }
    }
}
