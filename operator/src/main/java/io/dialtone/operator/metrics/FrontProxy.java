package io.dialtone.operator.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Who may call the custom metrics API: the API server, proxying for a client it has already authenticated and
 * authorised, presents a client certificate signed by its front-proxy CA, with one of the allowed common names. Both
 * are published by the API server in {@code kube-system/extension-apiserver-authentication}, as every aggregated API
 * server reads them.
 *
 * @param authorities  the front-proxy CA certificates
 * @param allowedNames common names a front-proxy certificate may have; empty: any the CA signed
 */
record FrontProxy(List<X509Certificate> authorities, Set<String> allowedNames) {
    static final String CONFIG_MAP = "extension-apiserver-authentication";
    static final String NAMESPACE = "kube-system";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Read from the API server; fails with the reason when it publishes no front-proxy CA. */
    static FrontProxy read(KubernetesClient client) {
        ConfigMap published = client.configMaps().inNamespace(NAMESPACE).withName(CONFIG_MAP).get();
        Map<String, String> data = published == null || published.getData() == null ? Map.of() : published.getData();
        String pem = data.get("requestheader-client-ca-file");
        if (pem == null || pem.isBlank()) {
            throw new IllegalStateException(NAMESPACE + "/" + CONFIG_MAP + " has no requestheader-client-ca-file: "
                    + "the API server runs without --requestheader-client-ca-file, so it cannot proxy to an "
                    + "aggregated API such as custom.metrics.k8s.io");
        }
        try {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> authorities = certificates.stream().map(X509Certificate.class::cast).toList();
            String names = data.getOrDefault("requestheader-allowed-names", "[]");
            Set<String> allowed = Set.copyOf(JSON.readValue(names.isBlank() ? "[]" : names,
                    new TypeReference<List<String>>() { }));
            return new FrontProxy(authorities, allowed);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot read the front-proxy CA from " + NAMESPACE + "/" + CONFIG_MAP
                    + ": " + e.getMessage(), e);
        }
    }

    TrustManager[] trust() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("front-proxy-" + i, authorities.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot trust the front-proxy CA", e);
        }
    }

    /** Whether a client certificate the handshake verified has a name the API server allows for its proxy. */
    boolean allows(X509Certificate client) {
        return allowedNames.isEmpty() || commonName(client).filter(allowedNames::contains).isPresent();
    }

    static Optional<String> commonName(X509Certificate certificate) {
        try {
            return new LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN")).map(Rdn::getValue).map(String::valueOf)
                    .findFirst();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }
}
