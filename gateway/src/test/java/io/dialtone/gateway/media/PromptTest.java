package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptTest {
    @Test
    void everyPromptIsShippedAudibleAtBothCodecRates() {
        for (Prompt prompt : Prompt.values()) {
            assertThat(prompt.seconds()).as("%s lasts", prompt).isBetween(1.0, 8.0);
            short[] wide = prompt.samples(16000);
            short[] narrow = prompt.samples(8000);
            assertThat(narrow.length).as("%s at 8 kHz", prompt).isBetween(wide.length / 2 - 50, wide.length / 2 + 50);
            assertThat(peak(narrow)).as("%s peak", prompt).isGreaterThan(8000);
            assertThat(prompt.samples(8000)).as("converted once").isSameAs(narrow);
        }
    }

    private static int peak(short[] samples) {
        int peak = 0;
        for (short sample : samples) {
            peak = Math.max(peak, Math.abs(sample));
        }
        return peak;
    }
}
