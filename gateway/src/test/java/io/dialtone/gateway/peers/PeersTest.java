package io.dialtone.gateway.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeersTest {
    private static Peer peer(String name, String ip, boolean ready) {
        return Peer.of(name, new InetSocketAddress(ip, 5060), ready);
    }

    @Test
    void everyGatewayPicksTheSameOwnerForANewCallAndOnlyAmongThoseTakingCalls() {
        List<Peer> fleet = List.of(peer("gw-a", "10.0.0.1", true), peer("gw-b", "10.0.0.2", true),
                peer("gw-c", "10.0.0.3", true));
        Map<String, Integer> owned = new HashMap<>();
        for (int call = 0; call < 3000; call++) {
            String callId = "call-" + call + "@carrier";
            Peer owner = new Peers("gw-a", fleet).ownerOfNewCall(callId).orElseThrow();
            assertThat(new Peers("gw-c", List.of(fleet.get(2), fleet.get(0), fleet.get(1))).ownerOfNewCall(callId))
                    .as("the same owner from another gateway, whatever the order").contains(owner);
            owned.merge(owner.name(), 1, Integer::sum);
        }
        assertThat(owned.values()).as("spread evenly").allSatisfy(n -> assertThat(n).isBetween(850, 1150));

        List<Peer> draining = List.of(fleet.get(0), peer("gw-b", "10.0.0.2", false), fleet.get(2));
        for (int call = 0; call < 300; call++) {
            String callId = "call-" + call + "@carrier";
            Peer before = new Peers("gw-a", fleet).ownerOfNewCall(callId).orElseThrow();
            Peer after = new Peers("gw-a", draining).ownerOfNewCall(callId).orElseThrow();
            assertThat(after.name()).isNotEqualTo("gw-b");
            if (!before.name().equals("gw-b")) {
                assertThat(after).as("calls of the others stay where they were").isEqualTo(before);
            }
        }
    }

    @Test
    void aGatewayAloneOrNotListedHasNobodyToForwardTo() {
        assertThat(Peers.alone("gw-a").alone()).isTrue();
        assertThat(new Peers("gw-a", List.of(peer("gw-a", "10.0.0.1", true))).alone()).isTrue();
        assertThat(new Peers("gw-a", List.of(peer("gw-a", "10.0.0.1", true), peer("gw-b", "10.0.0.2", true)))
                .alone()).isFalse();
    }

    @Test
    void theFleetComesFromTheServicesEndpointSlices() {
        EndpointSlice slice = new EndpointSliceBuilder().withAddressType("IPv4")
                .addNewPort().withName("sip-udp").withPort(5060).withProtocol("UDP").endPort()
                .addNewPort().withName("sip-tcp").withPort(5060).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("10.1.0.5").withNewConditions().withReady(true).endConditions()
                .withNewTargetRef().withKind("Pod").withName("gw-7d9-a").endTargetRef().endEndpoint()
                .addNewEndpoint().withAddresses("10.1.0.6").withNewConditions().withReady(false).withTerminating(true)
                .endConditions().withNewTargetRef().withKind("Pod").withName("gw-7d9-b").endTargetRef().endEndpoint()
                .addNewEndpoint().withAddresses("10.1.0.7").withNewConditions().withReady(true).endConditions()
                .endEndpoint()
                .build();
        EndpointSlice tcpOnly = new EndpointSliceBuilder().withAddressType("IPv4")
                .addNewPort().withName("sip-tls").withPort(5061).endPort()
                .addNewEndpoint().withAddresses("10.1.0.9").withNewTargetRef().withKind("Pod").withName("other")
                .endTargetRef().endEndpoint().build();
        Peers peers = EndpointSlicePeers.peers("gw-7d9-a", List.of(slice, tcpOnly));
        assertThat(peers.all()).containsExactly(peer("gw-7d9-a", "10.1.0.5", true), peer("gw-7d9-b", "10.1.0.6", false));
        assertThat(peers.selfId()).isEqualTo(Peer.idOf("gw-7d9-a"));
        assertThat(peers.byId(Peer.idOf("gw-7d9-b"))).contains(peer("gw-7d9-b", "10.1.0.6", false));
        assertThat(peers.ownerOfNewCall("x")).contains(peer("gw-7d9-a", "10.1.0.5", true));
    }
}
