package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NewCallOwnersTest {
    private final NewCallOwners owners = new NewCallOwners();

    @Test
    void aCallStaysWithThePeerItWasFirstRelayedTo() {
        owners.relayed("call-1", "peer-b");
        owners.relayed("call-1", "peer-c");
        assertThat(owners.ownerOf("call-1")).contains("peer-b");
        assertThat(owners.ownerOf("call-2")).isEmpty();
    }

    @Test
    void theOldestCallsAreForgottenSoMemoryStaysBounded() {
        owners.relayed("first", "peer-b");
        for (int i = 0; i < NewCallOwners.REMEMBERED; i++) {
            owners.relayed("call-" + i, "peer-c");
        }
        assertThat(owners.ownerOf("first")).isEmpty();
        assertThat(owners.ownerOf("call-" + (NewCallOwners.REMEMBERED - 1))).contains("peer-c");
    }
}
