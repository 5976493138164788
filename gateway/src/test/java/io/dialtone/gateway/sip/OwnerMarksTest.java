package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OwnerMarksTest {
    @Test
    void tagsAndBranchesNameTheirGatewayAndNothingElseDoes() {
        assertThat(OwnerMarks.tagOwner(OwnerMarks.tag("0a1b2c3d"))).contains("0a1b2c3d");
        assertThat(OwnerMarks.branchOwner(OwnerMarks.branch("0a1b2c3d"))).contains("0a1b2c3d");
        assertThat(OwnerMarks.tagOwner("28584SIPpTag0017")).as("a caller's tag").isEmpty();
        assertThat(OwnerMarks.branchOwner("z9hG4bK-28584-17-6")).as("a caller's branch").isEmpty();
        assertThat(OwnerMarks.tagOwner(null)).isEmpty();
    }
}
