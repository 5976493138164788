package io.dialtone.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/reference.md is generated from crds/; scripts/update-crds.sh rewrites it (-Ddialtone.reference.write=true). */
class ReferenceDocTest {
    @Test
    void theCommittedReferenceIsWhatTheCrdsSay() throws IOException {
        Path crds = Path.of(System.getProperty("dialtone.crds.committed"));
        Path reference = crds.resolveSibling("docs").resolve("reference.md");
        String generated = CrdReference.generate(crds);
        if (Boolean.getBoolean("dialtone.reference.write")) {
            Files.writeString(reference, generated);
        }
        assertThat(Files.exists(reference) ? Files.readString(reference) : "")
                .as("docs/reference.md is stale: run scripts/update-crds.sh and commit the result").isEqualTo(generated);
    }
}
