package io.dialtone.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressAndNumberTest {

    @ParameterizedTest(name = "{0} normalises to {1}")
    @CsvSource(delimiter = '|', value = {
            "+15550100|+15550100",
            "15550100|+15550100",
            "+1 (555) 010-0|+15550100",
            "1-555-0100|+15550100",
            "support|support",
            "+|+",
            "''|''"})
    void normalisesNumbersLikeLiveKit(String raw, String normalised) {
        assertThat(PhoneNumbers.normalize(raw)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "999.1.1.1", "10.0.0.1/x", "::g", "a b", "010.0.0.1", "1.2.3", "1.2.3.4.5"})
    void refusesWhatIsNeitherAnAddressNorAHost(String text) {
        assertThatThrownBy(() -> AddressPattern.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }

    @Test
    void aCidrIsMaskedSoHostBitsDoNotMatter() throws Exception {
        AddressPattern pattern = AddressPattern.parse("203.0.113.77/24");
        assertThat(pattern).hasToString("203.0.113.0/24");
        assertThat(pattern.matches(InetAddress.getByName("203.0.113.1"), "")).isTrue();
        assertThat(pattern.matches(InetAddress.getByName("203.0.114.1"), "")).isFalse();
    }

    @Test
    void oddPrefixLengthsCompareTheRightBits() throws Exception {
        AddressPattern pattern = AddressPattern.parse("198.51.100.16/28");
        assertThat(pattern.matches(InetAddress.getByName("198.51.100.31"), "")).isTrue();
        assertThat(pattern.matches(InetAddress.getByName("198.51.100.32"), "")).isFalse();
    }

    @Test
    void aZeroPrefixAdmitsEveryAddressOfItsFamily() throws Exception {
        AddressPattern pattern = AddressPattern.parse("0.0.0.0/0");
        assertThat(pattern.matches(InetAddress.getByName("192.0.2.1"), "")).isTrue();
        assertThat(pattern.matches(InetAddress.getByName("::1"), "")).isFalse();
    }

    @Test
    void aHostPatternNeverMatchesBySourceAddress() throws Exception {
        AddressPattern pattern = AddressPattern.parse("pbx.example");
        assertThat(pattern.matches(InetAddress.getByName("192.0.2.1"), "")).isFalse();
        assertThat(pattern.matches(InetAddress.getByName("192.0.2.1"), "PBX.example")).isTrue();
    }

    @Test
    void everyReasonHasAStatusALabelAndAnExplanation() {
        for (Reason reason : Reason.values()) {
            assertThat(reason.sipStatus()).isBetween(400, 599);
            assertThat(reason.metricLabel()).matches("[a-z_]+");
            assertThat(reason.headerText()).isNotBlank();
            assertThat(reason.explanation()).isNotBlank();
            assertThat(Reason.fromMetricLabel(reason.metricLabel())).isEqualTo(reason);
        }
    }
}
