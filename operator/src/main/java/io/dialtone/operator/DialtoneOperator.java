package io.dialtone.operator;

import io.dialtone.operator.calls.DeletionCost;
import io.dialtone.operator.calls.StatsClient;
import io.dialtone.operator.events.EventRecorder;
import io.dialtone.operator.gateway.GatewayImage;
import io.dialtone.operator.gateway.SipGatewayReconciler;
import io.dialtone.operator.routing.Compilations;
import io.dialtone.operator.status.DispatchRuleReconciler;
import io.dialtone.operator.status.SipTrunkReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator: three controllers. The SipGateway one compiles routing (shared with the other two through
 * {@link Compilations}) and records call counts in each gateway's ledger ConfigMap, which the other two read.
 */
public final class DialtoneOperator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DialtoneOperator.class);
    /** The same event on the same resource at most this often: a flood of rejected calls is one event a minute. */
    private static final Duration EVENT_INTERVAL = Duration.ofMinutes(1);

    /**
     * @param namespaces    namespaces to watch; empty for all
     * @param leaseNamespace where the leader-election Lease lives; null runs without leader election
     */
    public record Settings(Set<String> namespaces, String gatewayImage, Duration statsInterval, String leaseNamespace) {
    }

    private final Operator operator;
    private final Set<String> namespaces;
    private final Duration statsInterval;
    private volatile boolean closing;

    /** @param metrics where the framework's reconcile metrics go (per controller: executions, failures, time) */
    public DialtoneOperator(KubernetesClient client, Settings settings, MeterRegistry metrics) {
        GatewayImage.use(settings.gatewayImage());
        namespaces = settings.namespaces();
        statsInterval = settings.statsInterval();
        Compilations compilations = new Compilations();
        operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(false)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics));
            if (settings.leaseNamespace() != null) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("dialtone-operator",
                        settings.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                        new LeaderCallbacks(() -> LOG.info("leading: this replica reconciles"), this::lostLead,
                                leader -> LOG.info("leader is {}", leader)), false));
            }
        });
        EventRecorder events = new EventRecorder(client, EVENT_INTERVAL, Clock.systemUTC());
        operator.register(new SipGatewayReconciler(compilations, events, new StatsClient(), new DeletionCost(client),
                settings.statsInterval()), o -> namespaces(o, settings));
        operator.register(new SipTrunkReconciler(compilations, events), o -> namespaces(o, settings));
        operator.register(new DispatchRuleReconciler(compilations, events), o -> namespaces(o, settings));
    }

    private static void namespaces(io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider<?> o,
                                   Settings settings) {
        if (!settings.namespaces().isEmpty()) {
            o.settingNamespaces(settings.namespaces());
        }
    }

    /**
     * A replica that loses its lease while running must stop acting at once, or two would write; the Deployment
     * restarts it as a follower. Losing it because it is being closed is no reason to end the process.
     */
    private void lostLead() {
        if (!closing) {
            LOG.error("lost the leader-election lease; exiting so that another replica takes over");
            System.exit(1);
        }
    }

    public void start() {
        operator.start();
        LOG.info("operator started; watching {}; gateway image {}; reading pod stats every {}",
                namespaces.isEmpty() ? "all namespaces" : String.join(", ", namespaces), GatewayImage.defaultImage(),
                statsInterval);
    }

    public boolean healthy() {
        return operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    @Override
    public void close() {
        closing = true;
        operator.stop();
    }
}
