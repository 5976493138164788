package io.dialtone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.config.RoutingDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigWatcherTest {
    private static final String CONFIG = """
            apiVersion: dialtone.io/v1alpha1
            kind: SipGateway
            metadata: {name: edge}
            spec:
              livekit: {url: "ws://127.0.0.1:7880", apiKey: key, apiSecret: secret-secret-secret-secret-0123}
            """;

    @Test
    void aFileNamedOnItsOwnIsReadAgainOnlyWhenItOrAMountedVolumesDataChanges(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), CONFIG);
        List<Path> paths = List.of(config);
        try (FileConfigWatcher watcher = new FileConfigWatcher(paths,
                new RoutingState(RoutingDocuments.load(paths)))) {
            Path watched = dir.toAbsolutePath();
            assertThat(watcher.concerns(watched, Path.of("gateway.yaml"))).isTrue();
            assertThat(watcher.concerns(watched, Path.of("..data"))).as("a ConfigMap's swapped link").isTrue();
            assertThat(watcher.concerns(watched, Path.of("..2026_12_02_01_00_00.123"))).isTrue();
            assertThat(watcher.concerns(watched, Path.of("calls.log"))).as("another file beside it").isFalse();
            assertThat(watcher.concerns(watched, Path.of("gateway.yaml.swp"))).isFalse();
        }
    }

    @Test
    void aLinkedFileCountsUnderTheNameOfWhatItNames(@TempDir Path dir) throws Exception {
        Path real = Files.writeString(Files.createDirectory(dir.resolve("releases")).resolve("v2.yaml"), CONFIG);
        Path link = Files.createSymbolicLink(dir.resolve("gateway.yaml"), real);
        List<Path> paths = List.of(link);
        try (FileConfigWatcher watcher = new FileConfigWatcher(paths,
                new RoutingState(RoutingDocuments.load(paths)))) {
            assertThat(watcher.concerns(dir.toAbsolutePath(), Path.of("gateway.yaml"))).isTrue();
            assertThat(watcher.concerns(real.getParent().toRealPath(), Path.of("v2.yaml"))).isTrue();
            assertThat(watcher.concerns(real.getParent().toRealPath(), Path.of("v1.yaml"))).isFalse();
        }
    }

    @Test
    void everyFileOfADirectoryGivenAsConfigurationCounts(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), CONFIG);
        List<Path> paths = List.of(dir);
        try (FileConfigWatcher watcher = new FileConfigWatcher(paths,
                new RoutingState(RoutingDocuments.load(paths)))) {
            assertThat(watcher.concerns(dir.toAbsolutePath(), Path.of("trunks.yaml"))).isTrue();
        }
    }
}
