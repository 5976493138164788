package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import javax.sip.SipFactory;
import javax.sip.message.Request;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an INVITE's Session-Expires and Supported headers ask for (RFC 4028), and what the gateway answers. */
class SessionTimerTest {

    private static Request invite(String headers) throws Exception {
        return SipFactory.getInstance().createMessageFactory().createRequest(
                "INVITE sip:+15550100@127.0.0.1 SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
                        + "From: <sip:+15557777@127.0.0.1>;tag=1\r\nTo: <sip:+15550100@127.0.0.1>\r\n"
                        + "Call-ID: timers\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" + headers
                        + "Content-Length: 0\r\n\r\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "'' | none",
            "Session-Expires: 60\\r\\nSupported: timer\\r\\n | too small 60",
            "Session-Expires: 1800\\r\\nSupported: timer\\r\\n | 1800;refresher=uac",
            "Session-Expires: 1800;refresher=uas\\r\\nSupported: 100rel, timer\\r\\n | 1800;refresher=uas",
            "Session-Expires: 1800;refresher=uac\\r\\n | 1800;refresher=uas",
            "x: 90\\r\\nk: timer\\r\\n | 90;refresher=uac",
            "Session-Expires: soon\\r\\n | none"})
    void theGatewayTakesTheCallersIntervalAndLetsItRefreshWhenItCan(String headers, String expected) throws Exception {
        SessionTimer.Asked asked = SessionTimer.requested(invite(headers.replace("\\r\\n", "\r\n")));
        String got = asked instanceof SessionTimer.Asked.TooSmall small ? "too small " + small.asked().toSeconds()
                : asked instanceof SessionTimer.Asked.Agreed agreed ? agreed.timer().header() : "none";
        assertThat(got).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} s")
    @CsvSource({"90, 60, 45", "1800, 1768, 900"})
    void whoeverDoesNotRefreshEndsTheSessionBeforeItExpires(long interval, long expires, long refresh) {
        SessionTimer timer = new SessionTimer(Duration.ofSeconds(interval), SessionTimer.Refresher.uac);
        assertThat(timer.expiresAfter()).isEqualTo(Duration.ofSeconds(expires));
        assertThat(timer.refreshAfter()).isEqualTo(Duration.ofSeconds(refresh));
    }
}
