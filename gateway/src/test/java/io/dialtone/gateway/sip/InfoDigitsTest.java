package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InfoDigitsTest {
    @Test
    void readsTheDigitOfBothBodies() {
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")).contains('5');
        assertThat(InfoDigits.parse("application/dtmf-relay", "signal= #\nduration=100")).contains('#');
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=11\n")).contains('#');
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=10\n")).contains('*');
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=a\n")).contains('A');
        assertThat(InfoDigits.parse("application/dtmf", "7\r\n")).contains('7');
    }

    @Test
    void bodiesWithoutADigitGiveNone() {
        assertThat(InfoDigits.parse("application/dtmf-relay", "Duration=160\n")).isEmpty();
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=\n")).isEmpty();
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=55\n")).isEmpty();
        assertThat(InfoDigits.parse("application/dtmf", "")).isEmpty();
    }
}
