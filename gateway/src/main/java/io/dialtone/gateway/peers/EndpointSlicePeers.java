package io.dialtone.gateway.peers;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet of a gateway pod: the pods behind its SipGateway's Service, from the Service's EndpointSlices, which
 * Kubernetes keeps as pods come, turn ready, drain and go. A pod that is not ready (starting, or draining after
 * SIGTERM) takes no new calls but still gets the requests of the calls it holds, for as long as it is listed.
 */
public final class EndpointSlicePeers implements Supplier<Peers>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointSlicePeers.class);
    static final String SIP_UDP_PORT = "sip-udp";

    private final String self;
    private final SharedIndexInformer<EndpointSlice> informer;
    private volatile Peers current;

    public EndpointSlicePeers(KubernetesClient client, String namespace, String service, String self) {
        this.self = self;
        this.current = Peers.alone(self);
        this.informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", service).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(EndpointSlice slice) {
                        changed();
                    }

                    @Override
                    public void onUpdate(EndpointSlice before, EndpointSlice after) {
                        changed();
                    }

                    @Override
                    public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                        changed();
                    }
                });
        LOG.info("this gateway is {} (id {}); its fleet comes from the EndpointSlices of Service {}/{}", self,
                Peer.idOf(self), namespace, service);
        // The informer's first events may have run before the field above was set, and found nothing to read.
        changed();
    }

    @Override
    public Peers get() {
        return current;
    }

    private synchronized void changed() {
        if (informer == null) {
            return;
        }
        Peers now = peers(self, informer.getStore().list());
        if (!now.all().equals(current.all())) {
            LOG.info("fleet: {} gateway(s), {} taking new calls: {}", now.all().size(),
                    now.all().stream().filter(Peer::takesNewCalls).count(),
                    now.all().stream().map(peer -> peer.name() + "=" + peer.sip().getAddress().getHostAddress()
                            + (peer.takesNewCalls() ? "" : "(not ready)")).toList());
        }
        current = now;
    }

    /** The pods of the slices that serve SIP over UDP, each once. */
    static Peers peers(String self, Collection<EndpointSlice> slices) {
        List<Peer> peers = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            Integer port = slice.getPorts() == null ? null : slice.getPorts().stream()
                    .filter(p -> SIP_UDP_PORT.equals(p.getName())).map(EndpointPort::getPort).findFirst().orElse(null);
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (endpoint.getTargetRef() == null || !"Pod".equals(endpoint.getTargetRef().getKind())
                        || endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                String name = endpoint.getTargetRef().getName();
                boolean ready = endpoint.getConditions() != null
                        && Boolean.TRUE.equals(endpoint.getConditions().getReady())
                        && !Boolean.TRUE.equals(endpoint.getConditions().getTerminating());
                try {
                    // An endpoint's address is an IP literal; nothing is looked up.
                    InetSocketAddress sip = new InetSocketAddress(InetAddress.getByName(endpoint.getAddresses().get(0)),
                            port);
                    if (peers.stream().noneMatch(peer -> peer.name().equals(name))) {
                        peers.add(Peer.of(name, sip, ready));
                    }
                } catch (UnknownHostException e) {
                    LOG.debug("endpoint {} has no usable address: {}", name, e.getMessage());
                }
            }
        }
        peers.sort(java.util.Comparator.comparing(Peer::name));
        return new Peers(self, peers);
    }

    @Override
    public void close() {
        informer.close();
    }
}
