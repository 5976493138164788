package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.routing.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SdpNegotiatorTest {
    private static final java.net.InetAddress CARRIER = address("198.51.100.20");
    private static final SdpNegotiator ALL = new SdpNegotiator(List.of(Codec.PCMU, Codec.PCMA, Codec.G722), CARRIER);

    private static java.net.InetAddress address(String literal) {
        try {
            return java.net.InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String offer(String formats, String... attributes) {
        return "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP "
                + formats + "\r\n" + String.join("", List.of(attributes).stream().map(a -> "a=" + a + "\r\n").toList());
    }

    @Test
    void theCallersOrderWinsAmongAcceptedCodecs() throws Exception {
        SdpNegotiator.Negotiated negotiated = ALL.negotiate(offer("8 0 9", "rtpmap:8 PCMA/8000", "rtpmap:0 PCMU/8000"));
        assertThat(negotiated.codec()).isEqualTo(Codec.PCMA);
        assertThat(negotiated.payloadType()).isEqualTo(8);
        assertThat(negotiated.remote()).isEqualTo(new java.net.InetSocketAddress("192.0.2.10", 40000));
    }

    @Test
    void staticPayloadTypesNeedNoRtpmap() throws Exception {
        assertThat(ALL.negotiate(offer("9 0")).codec()).isEqualTo(Codec.G722);
    }

    @Test
    void codecsTheTrunkDoesNotAcceptAreSkipped() throws Exception {
        assertThat(new SdpNegotiator(List.of(Codec.PCMU), CARRIER).negotiate(offer("8 9 0")).codec())
                .isEqualTo(Codec.PCMU);
    }

    @Test
    void dynamicPayloadTypesAreRecognisedByName() throws Exception {
        SdpNegotiator.Negotiated negotiated = ALL.negotiate(offer("96 101", "rtpmap:96 pcmu/8000",
                "rtpmap:101 telephone-event/8000"));
        assertThat(negotiated.codec()).isEqualTo(Codec.PCMU);
        assertThat(negotiated.payloadType()).isEqualTo(96);
        assertThat(negotiated.telephoneEvent()).isEqualTo(101);
    }

    @Test
    void noCommonCodecIsA488NotA400() {
        assertThatThrownBy(() -> ALL.negotiate(offer("18 3", "rtpmap:18 G729/8000")))
                .isInstanceOfSatisfying(SdpNegotiator.NegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NO_COMMON_CODEC))
                .hasMessageContaining("no common codec").hasMessageContaining("G729/8000");
    }

    @Test
    void garbageIsAnUnusableOfferNotACodecProblem() {
        assertThatThrownBy(() -> ALL.negotiate("this is not sdp"))
                .isInstanceOfSatisfying(SdpNegotiator.NegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNUSABLE_OFFER));
    }

    @ParameterizedTest(name = "c=IN {0} is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "IP4 media.example.com|not an IP address", "IP4 224.0.0.1|not unicast", "IP4 255.255.255.255|not unicast",
            "IP6 ff02::1|not unicast", "IP4 300.1.2.3|not an IP address", "IP4 239.1.1.1/127|not unicast",
            "IP6 ::ffff:255.255.255.255|not unicast", "IP6 .1:2|not an IP address",
            "IP6 fe80::1%eth0|not an IP address",
            "IP4 127.0.0.1|loopback", "IP6 ::1|loopback"})
    void aConnectionAddressThatIsNoUnicastIpIsRefusedAndNeverLookedUp(String connection, String why) {
        String offer = offer("0").replace("c=IN IP4 192.0.2.10", "c=IN " + connection);
        assertThatThrownBy(() -> ALL.negotiate(offer))
                .isInstanceOfSatisfying(SdpNegotiator.NegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNUSABLE_OFFER))
                .hasMessageContaining(why);
    }

    @Test
    void aCallerOnThisHostMayOfferALoopbackAddress() throws Exception {
        SdpNegotiator local = new SdpNegotiator(List.of(Codec.PCMU), address("127.0.0.1"));
        assertThat(local.negotiate(offer("0").replace("c=IN IP4 192.0.2.10", "c=IN IP4 127.0.0.1")).remote())
                .isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 40000));
    }

    @Test
    void anOfferWithoutAConnectionAddressIsRefused() {
        String offer = offer("0").replace("c=IN IP4 192.0.2.10\r\n", "");
        assertThatThrownBy(() -> ALL.negotiate(offer)).hasMessageContaining("no connection address");
    }

    @Test
    void aPortBeyond65535IsRefused() {
        assertThatThrownBy(() -> ALL.negotiate(offer("0").replace("m=audio 40000", "m=audio 70000")))
                .isInstanceOfSatisfying(SdpNegotiator.NegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNUSABLE_OFFER));
    }

    @Test
    void ipv6AndTheOldHoldAddressAreAccepted() throws Exception {
        assertThat(ALL.negotiate(offer("0").replace("c=IN IP4 192.0.2.10", "c=IN IP6 2001:db8::7")).remote())
                .isEqualTo(new java.net.InetSocketAddress("2001:db8::7", 40000));
        assertThat(ALL.negotiate(offer("0").replace("c=IN IP4 192.0.2.10", "c=IN IP4 0.0.0.0")).offered())
                .isEqualTo(SdpNegotiator.Direction.sendonly);
    }

    @Test
    void anOfferWithoutAudioHasNoCommonCodec() {
        String video = offer("96").replace("m=audio", "m=video");
        assertThatThrownBy(() -> ALL.negotiate(video)).hasMessageContaining("no audio stream");
    }

    @Test
    void ptimeIsHonouredAndDefaultsTo20() throws Exception {
        assertThat(ALL.negotiate(offer("0", "ptime:30")).ptime()).isEqualTo(30);
        assertThat(ALL.negotiate(offer("0")).ptime()).isEqualTo(20);
    }

    @ParameterizedTest(name = "an offer {0} is answered {1}")
    @CsvSource({"sendrecv,sendrecv", "sendonly,recvonly", "recvonly,sendonly", "inactive,inactive"})
    void theDirectionIsMirrored(String offered, String answered) throws Exception {
        String answer = ALL.negotiate(offer("0", offered)).answer("198.51.100.5", 20000, 1, 2);
        assertThat(answer).contains("a=" + answered + "\r\n");
    }

    @Test
    void anOldStyleHoldWithAZeroAddressIsAnsweredRecvonly() throws Exception {
        String hold = offer("0").replace("c=IN IP4 192.0.2.10", "c=IN IP4 0.0.0.0");
        assertThat(ALL.negotiate(hold).answer("198.51.100.5", 20000, 1, 2)).contains("a=recvonly");
    }

    @Test
    void theAnswerAdvertisesTheGatewayAddressPortCodecAndEvents() throws Exception {
        String answer = ALL.negotiate(offer("0 101", "rtpmap:101 telephone-event/8000", "ptime:20"))
                .answer("198.51.100.5", 20000, 7, 3);
        assertThat(answer).isEqualTo("v=0\r\no=dialtone 7 3 IN IP4 198.51.100.5\r\ns=dialtone\r\n"
                + "c=IN IP4 198.51.100.5\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
    }

    @Test
    void anIpv6AddressIsAdvertisedAsIp6() throws Exception {
        assertThat(ALL.negotiate(offer("0")).answer("2001:db8::5", 20000, 1, 1)).contains("c=IN IP6 2001:db8::5");
    }

    // ---- SRTP keyed by SDES (RFC 4568), as the trunk's media.encryption says ----

    private static final String KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
    private static final byte[] LOCAL = SdpNegotiator.newLocalKey();

    private static SdpNegotiator trunk(io.dialtone.api.v1alpha1.MediaEncryption encryption) {
        return new SdpNegotiator(List.of(Codec.PCMU), CARRIER, encryption, LOCAL);
    }

    private static String secureOffer(String... cryptos) {
        return offer("0", java.util.Arrays.stream(cryptos).map(c -> "crypto:" + c).toArray(String[]::new))
                .replace("RTP/AVP", "RTP/SAVP");
    }

    @Test
    void anSrtpOfferIsAnsweredWithTheGatewaysOwnKeyUnderTheCallersTag() throws Exception {
        SdpNegotiator.Negotiated negotiated = trunk(io.dialtone.api.v1alpha1.MediaEncryption.allow).negotiate(
                secureOffer("1 AEAD_AES_256_GCM inline:" + KEY, "2 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20"));
        assertThat(negotiated.srtp()).hasValueSatisfying(keys -> {
            assertThat(keys.suite()).isEqualTo(io.dialtone.gateway.media.SrtpSuite.AES_CM_128_HMAC_SHA1_80);
            assertThat(keys.tag()).isEqualTo(2);
            assertThat(keys.remote()).isEqualTo(java.util.Base64.getDecoder().decode(KEY));
            assertThat(keys.local()).isEqualTo(LOCAL);
        });
        String answer = negotiated.answer("203.0.113.1", 30000, 1, 1);
        assertThat(answer).contains("m=audio 30000 RTP/SAVP 0\r\n").contains("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"
                + java.util.Base64.getEncoder().encodeToString(LOCAL) + "\r\n");
    }

    @Test
    void cryptoOnAPlainProfileIsTakenWhenTheTrunkAllowsItAndIgnoredWhenItDoesNot() throws Exception {
        String bestEffort = offer("0", "crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + KEY);
        SdpNegotiator.Negotiated taken = trunk(io.dialtone.api.v1alpha1.MediaEncryption.allow).negotiate(bestEffort);
        assertThat(taken.srtp()).isPresent();
        assertThat(taken.answer("203.0.113.1", 30000, 1, 1)).contains("RTP/AVP 0").contains("a=crypto:1");
        SdpNegotiator.Negotiated plain = trunk(io.dialtone.api.v1alpha1.MediaEncryption.disable).negotiate(bestEffort);
        assertThat(plain.srtp()).isEmpty();
        assertThat(plain.answer("203.0.113.1", 30000, 1, 1)).doesNotContain("crypto");
        assertThat(trunk(io.dialtone.api.v1alpha1.MediaEncryption.allow).negotiate(offer("0")).srtp()).isEmpty();
    }

    @ParameterizedTest(name = "{0} with {1}: {2}")
    @CsvSource(delimiter = ';', value = {
            "require; a plain offer; ENCRYPTION_REQUIRED",
            "disable; an SRTP offer; NO_COMMON_CRYPTO",
            "allow; an SRTP offer with a key under an MKI; NO_COMMON_CRYPTO",
            "allow; an SRTP offer with an MKI and no lifetime; NO_COMMON_CRYPTO",
            "require; an SRTP offer with a GCM suite only; NO_COMMON_CRYPTO",
            "allow; an SRTP offer with a short key; NO_COMMON_CRYPTO",
            "allow; an SRTP offer with bars for a key; NO_COMMON_CRYPTO",
            "allow; an SRTP offer with a session parameter; NO_COMMON_CRYPTO",
            "allow; a DTLS-SRTP profile; UNUSABLE_OFFER"})
    void offersTheTrunkCannotAnswerAre488WithAReason(String encryption, String what, Reason reason) {
        String sdp = switch (what) {
            case "a plain offer" -> offer("0");
            case "an SRTP offer" -> secureOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY);
            case "an SRTP offer with a key under an MKI" ->
                    secureOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20|1:4");
            case "an SRTP offer with an MKI and no lifetime" ->
                    secureOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|1:4");
            case "an SRTP offer with a GCM suite only" -> secureOffer("1 AEAD_AES_128_GCM inline:" + KEY);
            case "an SRTP offer with bars for a key" -> secureOffer("1 AES_CM_128_HMAC_SHA1_80 inline:||||");
            case "an SRTP offer with a short key" -> secureOffer("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=");
            case "an SRTP offer with a session parameter" ->
                    secureOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + " UNENCRYPTED_SRTP");
            default -> offer("0").replace("RTP/AVP", "UDP/TLS/RTP/SAVP");
        };
        assertThatThrownBy(() -> trunk(io.dialtone.api.v1alpha1.MediaEncryption.valueOf(encryption)).negotiate(sdp))
                .isInstanceOfSatisfying(SdpNegotiator.NegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
