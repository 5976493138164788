package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Closer;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.GatewayProcess;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SRTP keyed by SDES against a real SRTP user agent: baresip (its srtp module, srtp-mand) calls the standalone gateway
 * on a trunk with media.encryption: require and a PIN rule, so the gateway answers and plays its prompt without
 * LiveKit. baresip sends a 440 Hz tone; the gateway must authenticate and decrypt it, and baresip must decrypt the
 * prompt (its sndfile module writes what it decoded).
 */
class GatewaySrtpIT {
    private static final Path DIR = Path.of("target", "gateway-srtp-it").toAbsolutePath();
    private static final Pattern SRTP_EVENT = Pattern.compile("event=srtp call=\\S+ suite=(\\S+) heard=(\\d+) "
            + "unauthenticated=(\\d+)");
    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(DIR);
        writeTone(DIR.resolve("tone.wav"));
        Path config = DIR.resolve("gateway.yaml");
        Files.writeString(config, Documents.join(
                Documents.gateway("srtp", "ws://127.0.0.1:" + Ports.free(), 35000, ""),
                Documents.trunk("secure", "numbers: ['+15550800'], allowedAddresses: [127.0.0.1], "
                        + "media: {encryption: require}"),
                Documents.trunk("plain", "numbers: ['+15550801'], allowedAddresses: [127.0.0.1]"),
                Documents.rule("boardroom", "  direct: {roomName: boardroom, pin: \"4321\"}")));
        gateway = GatewayProcess.start(config, DIR.resolve("gateway"), "--media-timeout", "60s");
    }

    @AfterAll
    static void stop() throws Exception {
        Closer.close(gateway);
    }

    @Test
    void baresipsSrtpCallIsAuthenticatedAndDecryptedBothWays() throws Exception {
        Path snd = DIR.resolve("snd");
        Processes.Result baresip = baresip("srtp-call", "+15550800", snd);
        assertThat(baresip.out()).as(baresip.out())
                .contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)").contains("Call established");
        gateway.awaitLog("event=srtp", Duration.ofSeconds(10));
        Matcher event = SRTP_EVENT.matcher(gateway.log());
        assertThat(event.find()).isTrue();
        System.out.println("gateway: " + event.group());
        assertThat(event.group(1)).isEqualTo("AES_CM_128_HMAC_SHA1_80");
        assertThat(Long.parseLong(event.group(2))).as("baresip's packets authenticated and decrypted (50 a second)")
                .isGreaterThan(200);
        // baresip punches its RTCP hole with one plain RTCP APP packet ("PINGPONG"), which is not SRTCP.
        assertThat(Long.parseLong(event.group(3))).as("packets that failed authentication").isLessThanOrEqualTo(1);
        Path heard;
        try (var files = Files.list(snd)) {
            heard = files.filter(f -> f.toString().endsWith("-dec.wav")).findFirst().orElseThrow();
        }
        double rms = rms(heard);
        System.out.printf("baresip decoded %s: RMS %.0f%n", heard.getFileName(), rms);
        assertThat(rms).as("the prompt, decrypted by baresip (silence if SRTP failed)").isGreaterThan(500);
    }

    @Test
    void anSrtpOfferToATrunkWithoutSrtpIsRefused488() throws Exception {
        Processes.Result baresip = baresip("srtp-to-plain", "+15550801", DIR.resolve("snd-refused"));
        assertThat(baresip.out()).contains("488");
        gateway.awaitLog("reason=no_common_crypto", Duration.ofSeconds(5));
    }

    @Test
    void aPlainOfferToATrunkThatRequiresSrtpIsRefused488() throws Exception {
        SippScenario scenario = new SippScenario("plain-to-secure").invite("").optional(100)
                .expect(488, "Reason: SIP;cause=488;text=\"Encryption required\"").ackRejection("1");
        Path file = scenario.write(DIR.resolve("sipp"));
        Processes.Result result = Sipp.call(file, gateway.sipPort(), "+15550800", "+15550100", 15);
        assertThat(result.exitCode()).as("sipp: %s\n%s", Sipp.messages(file), gateway.log()).isZero();
    }

    /** baresip calls {@code number} with srtp-mand for 6 s, sending {@code tone.wav}; what it decodes goes to snd. */
    private static Processes.Result baresip(String name, String number, Path snd) throws Exception {
        Path home = DIR.resolve("baresip-" + name);
        Files.createDirectories(home);
        Files.createDirectories(snd);
        try (var old = Files.list(snd)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        int low = 36000 + 2 * (Math.abs(name.hashCode()) % 400);
        Files.writeString(home.resolve("config"), String.join("\n",
                "poll_method epoll",
                "sip_listen 127.0.0.1:" + Ports.free(),
                "rtp_ports " + low + "-" + (low + 10),
                "audio_source aufile," + DIR.resolve("tone.wav"),
                "audio_player aufile,/dev/null",
                "audio_alert aufile,/dev/null",
                "snd_path " + snd,
                "module_path /usr/lib/baresip/modules",
                "module g711.so", "module aufile.so", "module srtp.so", "module menu.so", "module account.so",
                "module sndfile.so", ""));
        Files.writeString(home.resolve("accounts"),
                "<sip:+15550100@127.0.0.1>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU\n");
        return Processes.run(List.of("baresip", "-f", home.toString(), "-e",
                "/dial sip:" + number + "@127.0.0.1:" + gateway.sipPort(), "-t", "6"), home, 30);
    }

    /** Ten seconds of 440 Hz at 8 kHz, 16-bit mono: what baresip sends. */
    private static void writeTone(Path file) throws IOException {
        int samples = 8000 * 10;
        ByteBuffer wav = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            wav.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / 8000.0)));
        }
        Files.write(file, wav.array());
    }

    private static double rms(Path wav) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN).position(44);
        double sum = 0;
        int count = 0;
        while (data.remaining() >= 2) {
            double sample = data.getShort();
            sum += sample * sample;
            count++;
        }
        return count == 0 ? 0 : Math.sqrt(sum / count);
    }
}
