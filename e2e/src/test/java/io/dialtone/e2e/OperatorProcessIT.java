package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.KubeApi;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Toolchain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The operator as users run it, java -jar dialtone-operator.jar, against a real kube-apiserver. */
class OperatorProcessIT {
    private static final Path DIR = Path.of("target", "operator-process-it").toAbsolutePath();

    @Test
    void theOperatorJarReconcilesAndServesHealthAndMetrics() throws Exception {
        Files.createDirectories(DIR);
        int port = Ports.free();
        HttpClient http = HttpClient.newHttpClient();
        try (KubeApi api = KubeApi.start(DIR.resolve("kube"))) {
            api.installCrds(Toolchain.root().resolve("crds"));
            ProcessBuilder builder = new ProcessBuilder("java", "-jar",
                    Toolchain.root().resolve("operator/target/dialtone-operator.jar").toString(),
                    "--health-port", String.valueOf(port), "--gateway-image", "example.com/gateway:1")
                    .redirectErrorStream(true).redirectOutput(DIR.resolve("operator.log").toFile());
            builder.environment().put("KUBECONFIG", api.kubeconfig().toString());
            Process operator = builder.start();
            try {
                Eventually.until("/healthz answers 200", Duration.ofSeconds(60), () -> http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200, () -> log());
                api.kubectlOk(null, "apply", "--server-side", "-f", Toolchain.root().resolve("examples/quickstart").toString());
                Eventually.until("the Deployment with the operator's gateway image", Duration.ofSeconds(60),
                        () -> api.kubectl(null, "get", "deployment", "dialtone-gateway", "-o",
                                "jsonpath={.spec.template.spec.containers[0].image}").out().equals("example.com/gateway:1"),
                        () -> log());
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("jvm_memory_used_bytes")
                        .as("the framework's reconcile metrics, per controller")
                        .contains("operator_sdk_reconciliations_executions_sipgateway",
                                "operator_sdk_controllers_execution_reconcile_seconds_count{controller=\"sipgateway\"");
                assertThat(log()).contains("operator started", "published routing revision");
            } finally {
                operator.destroy();
                operator.waitFor();
            }
        }
    }

    private static String log() {
        try {
            return Files.readString(DIR.resolve("operator.log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
