package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InfoDigitsTest {
    @Test
    void readsTheDigitOfBothBodies() {
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")).isEqualTo('5');
        assertThat(InfoDigits.parse("application/dtmf-relay", "signal= #\nduration=100")).isEqualTo('#');
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=11\n")).isEqualTo('#');
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=10\n")).isEqualTo('*');
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=a\n")).isEqualTo('A');
        assertThat(InfoDigits.parse("application/dtmf", "7\r\n")).isEqualTo('7');
    }

    @Test
    void bodiesWithoutADigitGiveNone() {
        assertThat(InfoDigits.parse("application/dtmf-relay", "Duration=160\n")).isNull();
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=\n")).isNull();
        assertThat(InfoDigits.parse("application/dtmf-relay", "Signal=55\n")).isNull();
        assertThat(InfoDigits.parse("application/dtmf", "")).isNull();
    }
}
