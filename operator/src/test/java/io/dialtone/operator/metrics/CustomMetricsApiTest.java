package io.dialtone.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CustomMetricsApiTest {
    private static final String DISCOVERY = "/apis/custom.metrics.k8s.io/v1beta2";
    private final Authority frontProxyCa = Authority.make("front-proxy-ca");
    private CustomMetricsApi api;

    // The metric path reads pods from the API server; these tests stop before it, so this client never connects.
    private final KubernetesClient unreached = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:9").build()).build();

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
        unreached.close();
    }

    @Test
    void theApiServersFrontProxyIsServedDiscoveryAndClearNotFounds() throws Exception {
        start(Set.of("front-proxy-client"));
        HttpClient client = client(frontProxyCa.issue("front-proxy-client"));
        HttpResponse<String> discovery = get(client, DISCOVERY);
        assertThat(discovery.statusCode()).isEqualTo(200);
        assertThat(discovery.body()).contains("\"groupVersion\":\"custom.metrics.k8s.io/v1beta2\"",
                "\"name\":\"pods/dialtone_gateway_active_calls\"");
        HttpResponse<String> other = get(client, DISCOVERY + "/namespaces/default/pods/*/http_requests");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).contains("the metric http_requests is not served by Dialtone");
        assertThat(get(client, "/openapi/v2").statusCode()).isEqualTo(404);
    }

    @Test
    void aCertificateOfTheCaWithANameNotAllowedIsForbidden() throws Exception {
        start(Set.of("front-proxy-client"));
        HttpResponse<String> response = get(client(frontProxyCa.issue("someone-else")), DISCOVERY);
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void noClientCertificateOrOneOfAnotherCaDoesNotGetThroughTheHandshake() throws Exception {
        start(Set.of());
        assertThatThrownBy(() -> get(client(null), DISCOVERY)).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> get(client(Authority.make("other-ca").issue("front-proxy-client")), DISCOVERY))
                .isInstanceOf(java.io.IOException.class);
    }

    private void start(Set<String> allowedNames) throws Exception {
        api = CustomMetricsApi.start(new FrontProxy(List.of(frontProxyCa.certificate()), allowedNames),
                new ActiveCalls(unreached, Clock.systemUTC()), 0, List.of("localhost"));
    }

    private HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + api.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client that presents {@code identity} (none if null) and, as the APIService does, skips server checks. */
    private static HttpClient client(Issued identity) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        if (identity != null) {
            store.setKeyEntry("client", identity.keys().getPrivate(), new char[0],
                    new X509Certificate[] {identity.certificate()});
        }
        keys.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private record Issued(KeyPair keys, X509Certificate certificate) {
    }

    private record Authority(KeyPair keys, X509Certificate certificate) {
        static Authority make(String name) {
            KeyPair keys = pair();
            return new Authority(keys, sign(name, keys, name, keys, true));
        }

        Issued issue(String name) {
            KeyPair subject = pair();
            return new Issued(subject, sign(name, subject, certificate.getSubjectX500Principal().getName()
                    .replace("CN=", ""), keys, false));
        }

        private static KeyPair pair() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(256);
                return generator.generateKeyPair();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
                                            boolean ca) {
            try {
                Instant now = Instant.now();
                JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuer),
                        BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                        Date.from(now.plusSeconds(3600)), new X500Name("CN=" + subject), subjectKeys.getPublic());
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                return new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
