package io.dialtone.gateway.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dialtone.gateway.media.SrtpKeys;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DtlsSrtpTest {
    private static final DtlsIdentity CLIENT = DtlsIdentity.generate();
    private static final DtlsIdentity SERVER = DtlsIdentity.generate();

    /** Two transports whose sends land in each other's queue. */
    private static QueuedDatagrams[] pair() {
        QueuedDatagrams[] ends = new QueuedDatagrams[2];
        ends[0] = new QueuedDatagrams((bytes, offset, length) -> ends[1].offer(Arrays.copyOfRange(bytes, offset,
                offset + length)));
        ends[1] = new QueuedDatagrams((bytes, offset, length) -> ends[0].offer(Arrays.copyOfRange(bytes, offset,
                offset + length)));
        return ends;
    }

    @Test
    void bothSidesExportMirroredSrtpKeys() throws Exception {
        QueuedDatagrams[] ends = pair();
        CompletableFuture<DtlsSrtp.Established> server = CompletableFuture.supplyAsync(() -> {
            try {
                return DtlsSrtp.handshake(DtlsSrtp.Role.SERVER, SERVER, CLIENT.fingerprint(), ends[1], 10_000);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        SrtpKeys client = DtlsSrtp.handshake(DtlsSrtp.Role.CLIENT, CLIENT, SERVER.fingerprint(), ends[0], 10_000)
                .keys();
        SrtpKeys served = server.get(10, TimeUnit.SECONDS).keys();
        assertThat(client.local()).isEqualTo(served.remote());
        assertThat(client.remote()).isEqualTo(served.local());
        assertThat(client.local()).isNotEqualTo(client.remote());
    }

    @Test
    void aCertificateOtherThanTheSignalledOneIsRefused() {
        QueuedDatagrams[] ends = pair();
        CompletableFuture.runAsync(() -> {
            try {
                DtlsSrtp.handshake(DtlsSrtp.Role.SERVER, SERVER, CLIENT.fingerprint(), ends[1], 5_000);
            } catch (IOException expected) {
                // the client gives up on the certificate
            }
        });
        String someoneElse = DtlsIdentity.generate().fingerprint();
        assertThatThrownBy(() -> DtlsSrtp.handshake(DtlsSrtp.Role.CLIENT, CLIENT, someoneElse, ends[0], 5_000))
                .isInstanceOf(IOException.class);
    }

    @Test
    void fingerprintsAreSha256InSdpForm() {
        assertThat(CLIENT.fingerprint()).matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(DtlsIdentity.matches(CLIENT.fingerprint().toLowerCase(), CLIENT.certificate())).isTrue();
        assertThat(DtlsIdentity.matches(SERVER.fingerprint(), CLIENT.certificate())).isFalse();
    }
}
