package io.dialtone.operator.routing;

import static io.dialtone.operator.Resources.gateway;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {
    private static final String SPEC = "{livekit: {url: 'ws://127.0.0.1:7880', apiKey: k, apiSecret: s}}";

    @Test
    void aNamedGatewayMustExist() {
        assertThat(Membership.of("SipTrunk", "edge", List.of(gateway("edge", SPEC))).gateway()).isEqualTo("edge");
        Membership missing = Membership.of("SipTrunk", "edge", List.of(gateway("core", SPEC)));
        assertThat(missing.gateway()).isNull();
        assertThat(missing.reason()).isEqualTo(Membership.GATEWAY_NOT_FOUND);
        assertThat(missing.message()).startsWith("SipGateway edge (spec.gatewayRef) does not exist");
    }

    @Test
    void withoutAReferenceTheNamespacesOnlyGatewayIsMeant() {
        assertThat(Membership.of("SipTrunk", null, List.of(gateway("edge", SPEC))).gateway()).isEqualTo("edge");
        assertThat(Membership.of("DispatchRule", null, List.of()).message())
                .isEqualTo("there is no SipGateway in this namespace; this DispatchRule takes effect once one is created");
        Membership ambiguous = Membership.of("SipTrunk", null, List.of(gateway("b", SPEC), gateway("a", SPEC)));
        assertThat(ambiguous.reason()).isEqualTo(Membership.GATEWAY_AMBIGUOUS);
        assertThat(ambiguous.message()).isEqualTo("this namespace has 2 SipGateways (a, b); set spec.gatewayRef to one of them");
        assertThat(Membership.belongs(null, "a", 2)).isFalse();
        assertThat(Membership.belongs(null, "a", 1)).isTrue();
        assertThat(Membership.belongs("b", "a", 1)).isFalse();
    }
}
