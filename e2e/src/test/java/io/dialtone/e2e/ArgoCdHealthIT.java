package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dialtone.e2e.support.ArgoHealth;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Argo CD health checks of examples/argocd/ run by a Lua interpreter against sample resources, each carrying
 * the health it must get in its annotations; and the argocd-cm patch users apply embeds exactly those scripts.
 */
class ArgoCdHealthIT {
    private static final Path ARGOCD = Toolchain.root().resolve("examples/argocd");
    private static final Path DIR = Path.of("target", "argocd-health-it").toAbsolutePath();
    private static final String EXPECT = "expect.health.dialtone.io/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TestFactory
    Stream<DynamicTest> eachSampleGetsItsHealth() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : List.of("gateways.yaml", "trunks-and-rules.yaml")) {
            for (JsonNode sample : samples(file)) {
                String name = sample.path("kind").asText() + " " + sample.at("/metadata/name").asText();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    ArgoHealth.Health health = ArgoHealth.evaluate(sample, DIR);
                    JsonNode expected = sample.at("/metadata/annotations");
                    assertThat(health.status()).as(name).isEqualTo(expected.path(EXPECT + "status").asText());
                    assertThat(health.message()).as(name).contains(expected.path(EXPECT + "message").asText());
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(15);
        return tests.stream();
    }

    @Test
    void theArgoCdConfigMapEmbedsTheScriptsVerbatim() throws IOException {
        JsonNode data = YAML.readTree(ARGOCD.resolve("argocd-cm-health.yaml").toFile()).path("data");
        String script = Files.readString(ArgoHealth.SCRIPT);
        for (String kind : List.of("SipGateway", "SipTrunk", "DispatchRule")) {
            assertThat(data.path("resource.customizations.health.dialtone.io_" + kind).asText()).as(kind)
                    .isEqualTo(script);
        }
    }

    @Test
    void theApplicationsAreArgoCdApplications() throws IOException {
        for (String file : List.of("dialtone-chart.yaml", "dialtone-config.yaml")) {
            JsonNode app = YAML.readTree(ARGOCD.resolve(file).toFile());
            assertThat(app.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
            assertThat(app.path("kind").asText()).isEqualTo("Application");
            assertThat(app.at("/spec/source/repoURL").asText()).as(file).isNotBlank();
            assertThat(app.at("/spec/destination/namespace").asText()).as(file).isNotBlank();
        }
        JsonNode chart = YAML.readTree(ARGOCD.resolve("dialtone-chart.yaml").toFile());
        assertThat(Files.isDirectory(Toolchain.root().resolve(chart.at("/spec/source/path").asText()))).isTrue();
    }

    private static List<JsonNode> samples(String file) throws IOException {
        return Documents.parse(Files.readString(Toolchain.root().resolve("e2e/src/test/resources/argocd-health/"
                + file)));
    }
}
