package io.dialtone.gateway.config;

import io.dialtone.config.CompiledRouting;
import io.dialtone.config.ConfigException;
import io.dialtone.config.LoadedConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration source of a gateway pod: the routing Secret the operator compiles (docs/architecture.md, "Data flow"), watched
 * through the API. Every valid new revision replaces the routing table in one step; a document that does not load
 * is logged problem by problem and the running revision stays.
 */
public final class SecretConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SecretConfigWatcher.class);

    private final String namespace;
    private final String name;
    private final SharedIndexInformer<Secret> informer;
    private final CompletableFuture<LoadedConfig> first = new CompletableFuture<>();
    private final AtomicReference<RoutingState> state = new AtomicReference<>();
    private volatile boolean deleted;

    public SecretConfigWatcher(KubernetesClient client, String namespace, String name) {
        this.namespace = namespace;
        this.name = name;
        this.informer = client.secrets().inNamespace(namespace).withName(name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                deleted = false;
                changed(secret);
            }

            @Override
            public void onUpdate(Secret before, Secret after) {
                changed(after);
            }

            @Override
            public void onDelete(Secret secret, boolean finalStateUnknown) {
                deleted = true;
                LOG.warn("routing Secret {}/{} was deleted; still running revision {}", namespace, name, running());
            }
        });
        LOG.info("watching routing Secret {}/{}", namespace, name);
    }

    /**
     * Whether the routing Secret is gone: its SipGateway was deleted (the Secret goes with it), so no operator will
     * record this pod's last counts.
     */
    public boolean deleted() {
        return deleted;
    }

    /** Waits for the first valid routing document, logging while the Secret is missing or refused. */
    public LoadedConfig awaitFirst(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return first.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("no valid routing document in Secret " + namespace + "/" + name
                            + " after " + timeout);
                }
                LOG.info("waiting for routing Secret {}/{} with a valid {}", namespace, name, CompiledRouting.KEY);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** From now on, valid new revisions are applied to {@code routing}. */
    public void applyTo(RoutingState routing) {
        state.set(routing);
        // A change that arrived between the first document and now is applied here, not lost.
        informer.getStore().list().forEach(this::changed);
    }

    private synchronized void changed(Secret secret) {
        String encoded = secret.getData() == null ? null : secret.getData().get(CompiledRouting.KEY);
        String source = "Secret " + namespace + "/" + name;
        if (encoded == null) {
            LOG.error("{} has no key {}; still running revision {}", source, CompiledRouting.KEY, running());
            return;
        }
        byte[] document = Base64.getDecoder().decode(encoded);
        RoutingState routing = state.get();
        if (routing != null) {
            routing.update(() -> CompiledRouting.load(source, document));
            return;
        }
        try {
            first.complete(CompiledRouting.load(source, document));
        } catch (ConfigException e) {
            e.problems().forEach(problem -> LOG.error("routing document refused: {}", problem));
        }
    }

    private String running() {
        RoutingState routing = state.get();
        return routing == null ? "none" : routing.current().revision();
    }

    @Override
    public void close() {
        informer.close();
    }
}
