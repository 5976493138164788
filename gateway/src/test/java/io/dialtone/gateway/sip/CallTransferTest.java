package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallTransferTest {
    @Test
    void aSipfragsStatusLineIsRead() {
        assertThat(CallTransfer.Progress.of("SIP/2.0 200 OK\r\n")).contains(new CallTransfer.Progress(200, "OK"));
        assertThat(CallTransfer.Progress.of("SIP/2.0 100 Trying")).contains(new CallTransfer.Progress(100, "Trying"));
        assertThat(CallTransfer.Progress.of("SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n"))
                .contains(new CallTransfer.Progress(486, "Busy Here"));
        assertThat(CallTransfer.Progress.of("SIP/2.0 503")).contains(new CallTransfer.Progress(503, ""));
        assertThat(CallTransfer.Progress.of("")).isEqualTo(Optional.empty());
        assertThat(CallTransfer.Progress.of("HTTP/1.1 200 OK")).isEmpty();
        assertThat(CallTransfer.Progress.of("SIP/2.0 999 Nope")).isEmpty();
    }
}
