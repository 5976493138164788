package io.dialtone.gateway.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dialtone.api.v1alpha1.Codec;
import io.dialtone.api.v1alpha1.MediaEncryption;
import io.dialtone.gateway.media.CallerRtp;
import io.dialtone.gateway.media.JitterBuffer;
import io.dialtone.gateway.media.MediaProtection;
import io.dialtone.gateway.media.SrtpKeys;
import io.dialtone.gateway.media.SrtpProtection;
import io.dialtone.gateway.media.SrtpSuite;
import io.dialtone.gateway.media.RtpPacket;
import io.dialtone.gateway.media.TelephoneEventReceiver;
import io.dialtone.config.ConfigException;
import io.dialtone.config.RoutingDocuments;
import io.dialtone.gateway.sip.DigestAuthenticator;
import io.dialtone.gateway.sip.MalformedMessageFilter;
import io.dialtone.gateway.sip.SdpNegotiator;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a stranger's bytes reach first (and the routing YAML a user writes), fuzzed: each target must turn any input
 * into a result or the one exception its parser declares, never anything else. With the unit tests these replay
 * their seeds and past findings (the inputs under
 * src/test/resources/io/dialtone/gateway/fuzz/WireFormatFuzzTestInputs/&lt;target&gt;); {@code bench/fuzz.sh}
 * fuzzes each one for a set time (JAZZER_FUZZ=1).
 */
class WireFormatFuzzTest {
    /**
     * How long bench/fuzz.sh fuzzes each target (JAZZER_FUZZ=1): ten million executions, or two hours if the
     * target is slower than that.
     */
    private static final String FUZZ_FOR = "2h";
    private static final long EXECUTIONS = 10_000_000;
    static {
        // As the SIP stack does once it has its STACK_LOGGER: else the parser's logging reaches for log4j, which the
        // gateway does not ship.
        gov.nist.core.CommonLogger.legacyLogger = new io.dialtone.gateway.sip.Slf4jStackLogger();
    }

    private static final InetSocketAddress CALLER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void sdpOffers(FuzzedDataProvider data) {
        String offer = data.consumeRemainingAsString();
        try {
            // allow: a=crypto lines are parsed too.
            new SdpNegotiator(List.of(Codec.PCMU, Codec.PCMA, Codec.G722), InetAddress.getLoopbackAddress(),
                    MediaEncryption.allow, LOCAL_KEY).negotiate(offer);
        } catch (SdpNegotiator.NegotiationException refused) {
            // Refused with a reason: what a bad offer should get.
        }
    }

    private static final byte[] LOCAL_KEY = new byte[SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES];
    /** An SRTP call's protection: a stranger's bytes must fail its checks, never break it. */
    private static final SrtpProtection SRTP = new SrtpProtection(
            new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, LOCAL_KEY, LOCAL_KEY));

    /** A datagram on a call's RTP port, and the same on its RTCP port, plain and on an SRTP call. */
    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void rtpOnACallsPort(byte[] datagram) {
        CallerRtp caller = new CallerRtp("fuzz", () -> CALLER, InetAddress.getLoopbackAddress(),
                MediaProtection.PLAIN);
        JitterBuffer jitter = new JitterBuffer(8000, 20, 1, 10);
        TelephoneEventReceiver events = new TelephoneEventReceiver();
        CallerRtp.Heard heard = caller.read(CALLER, ByteBuffer.wrap(datagram), 0, 101, digit -> { });
        if (heard instanceof CallerRtp.Heard.Audio audio) {
            jitter.put(audio.packet(), 0);
            jitter.poll();
        }
        try {
            events.receive(RtpPacket.parse(ByteBuffer.wrap(datagram)));
        } catch (RtpPacket.MalformedPacketException notRtp) {
            // Not RTP: dropped.
        }
        caller.isCallersReport(CALLER, ByteBuffer.wrap(datagram));
        SRTP.unprotectRtp(ByteBuffer.wrap(datagram));
        SRTP.unprotectRtcp(ByteBuffer.wrap(datagram));
    }

    /** A SIP message as the stack's parser hook sees it: a message, or null for one to drop. */
    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void sipMessages(byte[] message) {
        try {
            new MalformedMessageFilter().parseSIPMessage(message, true, false,
                    (error, parsed, headerClass, header, raw) -> {
                        throw error;
                    });
        } catch (ParseException notSip) {
            // Declared: the stack drops what does not parse.
        }
    }

    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void digestCredentials(FuzzedDataProvider data) {
        DigestAuthenticator digest = new DigestAuthenticator(Clock.systemUTC(), Duration.ofMinutes(5), "secret");
        DigestAuthenticator.Credentials credentials = new DigestAuthenticator.Credentials(
                data.consumeString(40), data.consumeString(40), data.consumeString(60), data.consumeString(80),
                data.consumeString(80), data.consumeString(10), data.consumeString(10), data.consumeString(20),
                data.consumeString(12));
        digest.verify(credentials, "INVITE", data.consumeString(80), "call 127.0.0.1", "pbx", "s3cret", "example");
    }

    /** What `dialtone validate` and the standalone gateway read: a clear error for anything wrong, never a crash. */
    @FuzzTest(maxDuration = FUZZ_FOR, maxExecutions = EXECUTIONS)
    void routingYaml(FuzzedDataProvider data) {
        try {
            RoutingDocuments.parse("fuzz.yaml", data.consumeRemainingAsString(), name -> "value");
        } catch (ConfigException refused) {
            // Refused with its problems listed: what a bad document should get.
        }
    }
}
