package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DigestAuthenticatorTest {
    private static final String CALL = "a84b4c76e66710@pc33.example";


    private final ManualClock clock = new ManualClock();
    private final DigestAuthenticator digest = new DigestAuthenticator(clock, Duration.ofMinutes(5));

    private DigestAuthenticator.Credentials answer(String nonce, String password, String qop) {
        DigestAuthenticator.Credentials unsigned = new DigestAuthenticator.Credentials("pbx", "example", nonce,
                "sip:+15550199@gw.example", null, qop, "00000001", "0a4f113b");
        String response = DigestAuthenticator.response("pbx", "example", password, "INVITE", unsigned);
        return new DigestAuthenticator.Credentials("pbx", "example", nonce, unsigned.uri(), response, qop, "00000001",
                "0a4f113b");
    }

    @Test
    void theRightPasswordIsAccepted() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
    }

    @Test
    void clientsWithoutQopAreAcceptedToo() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", null), "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
    }

    @Test
    void theRfc2617ExampleComputesItsPublishedResponse() {
        DigestAuthenticator.Credentials c = new DigestAuthenticator.Credentials("Mufasa", "testrealm@host.com",
                "dcd98b7102dd2f0e8b11d0f600bfb0c093", "/dir/index.html", null, "auth", "00000001", "0a4f113b");
        assertThat(DigestAuthenticator.response("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", c))
                .isEqualTo("6629fae49393a05397450978507c4ef1");
    }

    @Test
    void aWrongPasswordFails() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "guess", "auth"), "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void aNonceIsAcceptedOnce() {
        String nonce = digest.newNonce(CALL);
        DigestAuthenticator.Credentials credentials = answer(nonce, "s3cret", "auth");
        assertThat(digest.verify(credentials, "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
        assertThat(digest.verify(credentials, "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.REPLAYED);
    }

    @Test
    void aNonceIssuedForAnotherCallFails() {
        String nonce = digest.newNonce("another-call@pc33.example");
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void anOldNonceWithTheRightPasswordIsStale() {
        String nonce = digest.newNonce(CALL);
        clock.advance(Duration.ofMinutes(6));
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.STALE);
    }

    @Test
    void aForgedNonceFails() {
        assertThat(digest.verify(answer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "s3cret", "auth"), "INVITE", CALL, "pbx",
                "s3cret", "example")).isEqualTo(DigestAuthenticator.Outcome.FAILED);
        assertThat(digest.verify(answer("not base64!", "s3cret", "auth"), "INVITE", CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void anotherUserOrRealmFails() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", CALL, "other", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", CALL, "pbx", "s3cret", "elsewhere"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }
}
