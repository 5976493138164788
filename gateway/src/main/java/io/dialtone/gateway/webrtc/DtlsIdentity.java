package io.dialtone.gateway.webrtc;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The gateway's DTLS certificate for the room's peer connections: a self-signed ECDSA P-256 certificate made once
 * per process, as browsers do. WebRTC does not check it against any authority; each side checks the other's against
 * the SHA-256 fingerprint its SDP carried over LiveKit's authenticated signalling (RFC 8827 section 6.5).
 */
public final class DtlsIdentity {
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final byte[] certificate;
    private final AsymmetricKeyParameter privateKey;

    private DtlsIdentity(byte[] certificate, AsymmetricKeyParameter privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    public static DtlsIdentity generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=dialtone");
            Instant now = Instant.now();
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(63, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return new DtlsIdentity(holder.getEncoded(), PrivateKeyFactory.createKey(keys.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("an ECDSA P-256 certificate could not be made", e);
        }
    }

    /** The DER of the certificate. */
    byte[] certificate() {
        return certificate.clone();
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** As SDP's a=fingerprint carries it: "sha-256 AB:CD:...". */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    static String fingerprint(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return "sha-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Whether an SDP fingerprint line's value names this DER certificate (hash name and hex compare case-blind). */
    static boolean matches(String sdpFingerprint, byte[] der) {
        return fingerprint(der).equalsIgnoreCase(sdpFingerprint.trim());
    }
}
