package io.dialtone.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** crds/ is what users apply; it must be exactly what the resource classes generate. */
class CrdFreshnessTest {
    private static final String FIX = "crds/ is stale: run scripts/update-crds.sh and commit the result";

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        Path generated = Path.of(System.getProperty("dialtone.crds.generated"));
        Path committed = Path.of(System.getProperty("dialtone.crds.committed"));
        List<Path> fresh = yamlFiles(generated);
        assertThat(fresh).as("generated CRDs in " + generated).hasSize(3);
        assertThat(yamlFiles(committed).stream().map(p -> p.getFileName().toString()))
                .as(FIX).containsExactlyInAnyOrderElementsOf(fresh.stream().map(p -> p.getFileName().toString()).toList());
        for (Path file : fresh) {
            assertThat(Files.readString(committed.resolve(file.getFileName())))
                    .as(FIX + " (" + file.getFileName() + " differs)").isEqualTo(Files.readString(file));
        }
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
