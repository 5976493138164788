package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DigestAuthenticatorTest {
    private static final String CALL = "a84b4c76e66710@pc33.example";
    private static final String URI = "sip:+15550199@gw.example";
    private static final String SECRET = "the gateway's LiveKit secret";

    private final ManualClock clock = new ManualClock();
    private final DigestAuthenticator digest = new DigestAuthenticator(clock, Duration.ofMinutes(5), SECRET);

    private DigestAuthenticator.Credentials answer(String nonce, String password, String qop) {
        return answer(nonce, password, qop, DigestAuthenticator.Algorithm.MD5);
    }

    private DigestAuthenticator.Credentials answer(String nonce, String password, String qop,
                                                   DigestAuthenticator.Algorithm algorithm) {
        DigestAuthenticator.Credentials unsigned = new DigestAuthenticator.Credentials("pbx", "example", nonce,
                URI, null, qop, "00000001", "0a4f113b", algorithm.token());
        String response = DigestAuthenticator.response(algorithm, "pbx", "example", password, "INVITE", unsigned);
        return new DigestAuthenticator.Credentials("pbx", "example", nonce, unsigned.uri(), response, qop, "00000001",
                "0a4f113b", algorithm.token());
    }

    @Test
    void theRightPasswordIsAccepted() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
    }

    @Test
    void clientsWithoutQopAreAcceptedToo() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", null), "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
    }

    @Test
    void theRfc2617ExampleComputesItsPublishedResponse() {
        DigestAuthenticator.Credentials c = new DigestAuthenticator.Credentials("Mufasa", "testrealm@host.com",
                "dcd98b7102dd2f0e8b11d0f600bfb0c093", "/dir/index.html", null, "auth", "00000001", "0a4f113b", null);
        assertThat(DigestAuthenticator.response(DigestAuthenticator.Algorithm.MD5, "Mufasa", "testrealm@host.com",
                "Circle Of Life", "GET", c))
                .isEqualTo("6629fae49393a05397450978507c4ef1");
    }

    @Test
    void aWrongPasswordFails() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "guess", "auth"), "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void aNonceIsAcceptedOnce() {
        String nonce = digest.newNonce(CALL);
        DigestAuthenticator.Credentials credentials = answer(nonce, "s3cret", "auth");
        assertThat(digest.verify(credentials, "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
        assertThat(digest.verify(credentials, "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.REPLAYED);
    }

    @Test
    void aNonceIssuedForAnotherCallFails() {
        String nonce = digest.newNonce("another-call@pc33.example");
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void anOldNonceWithTheRightPasswordIsStale() {
        String nonce = digest.newNonce(CALL);
        clock.advance(Duration.ofMinutes(6));
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.STALE);
    }

    @Test
    void aForgedNonceFails() {
        assertThat(digest.verify(answer("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "s3cret", "auth"), "INVITE", URI, CALL,
                "pbx",
                "s3cret", "example")).isEqualTo(DigestAuthenticator.Outcome.FAILED);
        assertThat(digest.verify(answer("not base64!", "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret",
                "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void anotherUserOrRealmFails() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "other", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret", "elsewhere"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void theRfc7616Sha256ExampleComputesItsPublishedResponse() {
        DigestAuthenticator.Credentials c = new DigestAuthenticator.Credentials("Mufasa", "http-auth@example.org",
                "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "/dir/index.html", null, "auth", "00000001",
                "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "SHA-256");
        assertThat(DigestAuthenticator.response(DigestAuthenticator.Algorithm.SHA_256, "Mufasa",
                "http-auth@example.org", "Circle of Life", "GET", c))
                .isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    @Test
    void sha256IsAcceptedAndAnAlgorithmNotOfferedFails() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth", DigestAuthenticator.Algorithm.SHA_256), "INVITE", URI,
                CALL, "pbx", "s3cret", "example")).isEqualTo(DigestAuthenticator.Outcome.OK);
        DigestAuthenticator.Credentials md5 = answer(digest.newNonce(CALL), "s3cret", "auth");
        DigestAuthenticator.Credentials sha512 = new DigestAuthenticator.Credentials(md5.username(), md5.realm(),
                md5.nonce(), md5.uri(), md5.response(), md5.qop(), md5.nc(), md5.cnonce(), "SHA-512-256");
        assertThat(digest.verify(sha512, "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void credentialsForAnotherHostFail() {
        String nonce = digest.newNonce(CALL);
        assertThat(digest.verify(answer(nonce, "s3cret", "auth"), "INVITE", "sip:+15550199@elsewhere.example", CALL,
                "pbx", "s3cret", "example")).isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }

    @Test
    void theDigestUriNamesTheRequestsHostAndPort() {
        assertThat(DigestAuthenticator.sameTarget("sip:+15550300@127.0.0.1:5060", "sip:127.0.0.1:5060")).isTrue();
        assertThat(DigestAuthenticator.sameTarget("sip:+15550300@GW.example;transport=tcp", "sip:gw.example")).isTrue();
        assertThat(DigestAuthenticator.sameTarget("sip:+15550300@127.0.0.1:5060", "sip:127.0.0.1:5070")).isFalse();
        assertThat(DigestAuthenticator.sameTarget("sip:+15550300@127.0.0.1", "/dir/index.html")).isFalse();
    }

    @Test
    void aNonceFromAnotherPodOfTheGatewayIsGoodAndOneFromAnotherGatewayIsNot() {
        String nonce = digest.newNonce(CALL);
        DigestAuthenticator otherPod = new DigestAuthenticator(clock, Duration.ofMinutes(5), SECRET);
        DigestAuthenticator otherGateway = new DigestAuthenticator(clock, Duration.ofMinutes(5), "another secret");
        assertThat(otherPod.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret", "example"))
                .isEqualTo(DigestAuthenticator.Outcome.OK);
        assertThat(otherGateway.verify(answer(nonce, "s3cret", "auth"), "INVITE", URI, CALL, "pbx", "s3cret",
                "example")).isEqualTo(DigestAuthenticator.Outcome.FAILED);
    }
}
