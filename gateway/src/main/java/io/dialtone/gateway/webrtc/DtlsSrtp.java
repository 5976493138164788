package io.dialtone.gateway.webrtc;

import io.dialtone.gateway.media.SrtpKeys;
import io.dialtone.gateway.media.SrtpSuite;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * DTLS-SRTP (RFC 5764) for one peer connection: a DTLS 1.2 handshake in the role the SDP's a=setup gave, the
 * remote certificate checked against the fingerprint its SDP carried, and SRTP's master keys exported from it. The
 * handshake blocks the calling thread (BouncyCastle's DTLS is blocking), so callers run it on the room leg's thread,
 * which waits for the peer connection anyway.
 */
public final class DtlsSrtp {
    /** What WebRTC peers, pion (LiveKit) among them, all speak; the only profile offered. */
    private static final int PROFILE = SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
    private static final int KEY = SrtpSuite.KEY_BYTES;
    private static final int SALT = SrtpSuite.SALT_BYTES;

    /** Which end of the handshake this side is: the SDP's a=setup:active is the client. */
    public enum Role { CLIENT, SERVER }

    /** The SRTP keys, and the DTLS connection that stays up for data channels. */
    public record Established(SrtpKeys keys, DTLSTransport transport) {
    }

    private DtlsSrtp() {
    }

    /**
     * @param remoteFingerprint the remote SDP's a=fingerprint value, "sha-256 AB:..."
     * @throws IOException when the handshake fails or times out, or the remote certificate is not the one named
     */
    public static Established handshake(Role role, DtlsIdentity identity, String remoteFingerprint,
                                        DatagramTransport datagrams, int timeoutMillis) throws IOException {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        Certificate own = new Certificate(new TlsCertificate[] {crypto.createCertificate(identity.certificate())});
        AtomicReference<byte[]> exported = new AtomicReference<>();
        Side side = new Side(crypto, identity, own, remoteFingerprint, timeoutMillis, exported);
        DTLSTransport transport = role == Role.CLIENT ? new DTLSClientProtocol().connect(new Client(side), datagrams)
                : new DTLSServerProtocol().accept(new Server(side), datagrams);
        return new Established(keys(role, exported.get()), transport);
    }

    /**
     * Runs {@code handshakes} handshakes between two identities of this process over in-memory datagrams, one side
     * on a thread of its own, so that BouncyCastle's elliptic-curve and record code is compiled before calls need it.
     *
     * @throws IOException when a handshake fails, which would fail every call's too
     */
    public static void exercise(int handshakes) throws IOException {
        DtlsIdentity client = DtlsIdentity.generate();
        DtlsIdentity server = DtlsIdentity.generate();
        for (int i = 0; i < handshakes; i++) {
            QueuedDatagrams[] ends = new QueuedDatagrams[2];
            ends[0] = new QueuedDatagrams((bytes, offset, length) -> ends[1].offer(
                    Arrays.copyOfRange(bytes, offset, offset + length)));
            ends[1] = new QueuedDatagrams((bytes, offset, length) -> ends[0].offer(
                    Arrays.copyOfRange(bytes, offset, offset + length)));
            java.util.concurrent.CompletableFuture<Established> served = new java.util.concurrent.CompletableFuture<>();
            Thread serving = new Thread(() -> {
                try {
                    served.complete(handshake(Role.SERVER, server, client.fingerprint(), ends[1], 10_000));
                } catch (IOException | RuntimeException e) {
                    served.completeExceptionally(e);
                }
            }, "dtls-warm-up");
            serving.setDaemon(true);
            serving.start();
            handshake(Role.CLIENT, client, server.fingerprint(), ends[0], 10_000);
            try {
                served.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("a DTLS handshake within the process failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while warming DTLS up");
            }
        }
    }

    /** RFC 5764 section 4.2: client key, server key, client salt, server salt. */
    private static SrtpKeys keys(Role role, byte[] material) {
        byte[] client = concat(Arrays.copyOfRange(material, 0, KEY), Arrays.copyOfRange(material, 2 * KEY, 2 * KEY + SALT));
        byte[] server = concat(Arrays.copyOfRange(material, KEY, 2 * KEY),
                Arrays.copyOfRange(material, 2 * KEY + SALT, 2 * KEY + 2 * SALT));
        return role == Role.CLIENT ? new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, server, client)
                : new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, client, server);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] export(TlsContext context) {
        return context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (KEY + SALT));
    }

    private static void check(Certificate remote, String fingerprint) throws IOException {
        if (remote == null || remote.isEmpty()
                || !DtlsIdentity.matches(fingerprint, remote.getCertificateAt(0).getEncoded())) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    /** What both ends of the handshake need of this side, and where the exported keying material goes. */
    private record Side(BcTlsCrypto crypto, DtlsIdentity identity, Certificate own, String remoteFingerprint,
                        int timeoutMillis, AtomicReference<byte[]> exported) {
        TlsCredentialedSigner signer(TlsContext context) {
            return DtlsSrtp.signer(context, crypto, identity, own);
        }
    }

    private static TlsCredentialedSigner signer(TlsContext context, BcTlsCrypto crypto, DtlsIdentity identity,
                                                Certificate own) {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, identity.privateKey(),
                own, ECDSA_SHA256);
    }

    private static final class Client extends DefaultTlsClient {
        private final Side side;

        Client(Side side) {
            super(side.crypto());
            this.side = side;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return CIPHER_SUITES.clone();
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return side.timeoutMillis();
        }

        @Override
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = org.bouncycastle.tls.TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {PROFILE}, TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        public void processServerExtensions(Hashtable serverExtensions) throws IOException {
            super.processServerExtensions(serverExtensions);
            UseSRTPData srtp = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
            if (srtp == null || srtp.getProtectionProfiles().length != 1 || srtp.getProtectionProfiles()[0] != PROFILE) {
                throw new TlsFatalAlert(AlertDescription.illegal_parameter);
            }
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    check(serverCertificate.getCertificate(), side.remoteFingerprint());
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return side.signer(context);
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            side.exported().set(export(context));
        }
    }

    private static final class Server extends DefaultTlsServer {
        private final Side side;

        Server(Side side) {
            super(side.crypto());
            this.side = side;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return CIPHER_SUITES.clone();
        }

        @Override
        public int getHandshakeTimeoutMillis() {
            return side.timeoutMillis();
        }

        @Override
        protected TlsCredentialedSigner getECDSASignerCredentials() {
            return side.signer(context);
        }

        @Override
        public CertificateRequest getCertificateRequest() {
            Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
            algorithms.add(ECDSA_SHA256);
            algorithms.add(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                    algorithms, null);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            check(clientCertificate, side.remoteFingerprint());
        }

        @Override
        public void processClientExtensions(Hashtable clientExtensions) throws IOException {
            super.processClientExtensions(clientExtensions);
            UseSRTPData srtp = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
            if (srtp == null || Arrays.stream(srtp.getProtectionProfiles()).noneMatch(profile -> profile == PROFILE)) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure);
            }
        }

        @Override
        public Hashtable getServerExtensions() throws IOException {
            Hashtable extensions = org.bouncycastle.tls.TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {PROFILE}, TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            side.exported().set(export(context));
        }
    }
}
