package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What can be checked of images/*&#47;Dockerfile without an engine to build them (K3sClusterIT builds them where
 * one exists): what they copy exists after the build, they run as a non-root user, and they start the jar they copy.
 */
class ContainerImagesIT {
    private static final Pattern COPY = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$");
    private static final Pattern USER = Pattern.compile("(?m)^USER (\\d+):(\\d+)$");
    private static final Pattern ENTRYPOINT = Pattern.compile("(?m)^ENTRYPOINT \\[\"java\", \"-jar\", \"(\\S+)\"]$");

    @ParameterizedTest
    @ValueSource(strings = {"operator", "gateway"})
    void theDockerfileCopiesWhatTheBuildMakesAndRunsItAsNonRoot(String component) throws IOException {
        String dockerfile = Files.readString(Toolchain.root().resolve("images").resolve(component).resolve("Dockerfile"));
        Matcher copies = COPY.matcher(dockerfile);
        List<String> destinations = new java.util.ArrayList<>();
        while (copies.find()) {
            Path source = Toolchain.root().resolve(copies.group(1));
            assertThat(source).as("COPY %s", copies.group(1)).exists();
            if (Files.isDirectory(source)) {
                try (var jars = Files.list(source)) {
                    assertThat(jars.filter(f -> f.toString().endsWith(".jar")).count()).as(copies.group(1)).isPositive();
                }
            }
            destinations.add(copies.group(2));
        }
        assertThat(destinations).contains("/opt/dialtone/lib/", "/opt/dialtone/dialtone-" + component + ".jar");

        Matcher user = USER.matcher(dockerfile);
        assertThat(user.find()).as("a numeric USER uid:gid").isTrue();
        assertThat(user.group(1)).as("the uid the chart and the operator run pods as (runAsUser)").isEqualTo("10001");

        Matcher entrypoint = ENTRYPOINT.matcher(dockerfile);
        assertThat(entrypoint.find()).as("ENTRYPOINT java -jar").isTrue();
        assertThat(entrypoint.group(1)).isEqualTo("/opt/dialtone/dialtone-" + component + ".jar");
        assertThat(dockerfile).as("the JVM writes only to /tmp, an emptyDir under a read-only root")
                .contains("-Djava.io.tmpdir=/tmp", "-XX:-UsePerfData");
    }
}
