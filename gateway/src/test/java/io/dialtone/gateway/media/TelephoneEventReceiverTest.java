package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TelephoneEventReceiverTest {
    private final TelephoneEventReceiver receiver = new TelephoneEventReceiver();
    private int sequence;

    @Test
    void eachDigitIsReportedOnceAtItsEndDespiteTheThreeEndPackets() {
        List<Character> digits = new ArrayList<>();
        for (char digit : "123#".toCharArray()) {
            long timestamp = 1000L * (digits.size() + 1);
            for (int duration = 160; duration <= 800; duration += 160) {
                digits.addAll(send(digit, false, duration, timestamp));
            }
            for (int repeat = 0; repeat < 3; repeat++) {
                digits.addAll(send(digit, true, 960, timestamp));
            }
        }
        assertThat(digits).containsExactly('1', '2', '3', '#');
    }

    @Test
    void aDigitWhoseEndPacketsWereLostIsReportedWhenTheNextStarts() {
        List<Character> digits = new ArrayList<>();
        digits.addAll(send('5', false, 160, 100));
        digits.addAll(send('5', false, 320, 100));
        digits.addAll(send('6', false, 160, 900));
        digits.addAll(send('6', true, 480, 900));
        assertThat(digits).containsExactly('5', '6');
    }

    @Test
    void payloadsRoundTripAndBadDigitsAreRefused() {
        TelephoneEvent star = TelephoneEvent.ofDigit('*', true, 10, 1600);
        assertThat(TelephoneEvent.parse(star.toPayload())).isEqualTo(star);
        assertThat(star.digit()).isEqualTo('*');
        assertThat(TelephoneEvent.ofDigit('d', false, 0, 0).event()).isEqualTo(15);
        assertThatThrownBy(() -> TelephoneEvent.ofDigit('x', false, 0, 0))
                .hasMessage("'x' is not a DTMF digit (0-9, *, #, A-D)");
        assertThat(receiver.receive(new RtpPacket(101, false, 1, 1, 1, new byte[2]))).isEmpty();
    }

    private List<Character> send(char digit, boolean end, int duration, long timestamp) {
        byte[] payload = TelephoneEvent.ofDigit(digit, end, 10, duration).toPayload();
        return receiver.receive(new RtpPacket(101, false, sequence++, timestamp, 7, payload));
    }
}
