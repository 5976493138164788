package io.dialtone.gateway.cli;

import io.dialtone.api.v1alpha1.Durations;
import io.dialtone.api.v1alpha1.GatewayMedia;
import io.dialtone.api.v1alpha1.RoomCodec;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.config.CompiledRouting;
import io.dialtone.config.LoadedConfig;
import io.dialtone.gateway.admin.AdminServer;
import io.dialtone.gateway.livekit.MediaWarmUp;
import io.dialtone.gateway.config.FileConfigWatcher;
import io.dialtone.gateway.config.RoutingState;
import io.dialtone.gateway.config.SecretConfigWatcher;
import io.dialtone.gateway.livekit.LiveKitBreaker;
import io.dialtone.gateway.livekit.RoomProvisioner;
import io.dialtone.gateway.peers.EndpointSlicePeers;
import io.dialtone.gateway.peers.Peer;
import io.dialtone.gateway.peers.Peers;
import io.dialtone.gateway.sip.SipServer;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.gateway.stats.CountsRecorded;
import io.dialtone.gateway.stats.StatsReport;
import io.dialtone.gateway.transport.ConnectionGuard;
import io.dialtone.stats.StatsDocument;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {"Run the SIP gateway standalone from routing documents: SIP on the SipGateway's port, "
                + "rooms on its LiveKit, admin endpoints (healthz, readyz, metrics, stats) on --admin-port.",
                "The configuration files are watched: a valid change is applied at once, an invalid one is logged "
                        + "and the running configuration stays. SIGTERM drains: no new calls, active ones carry on "
                        + "until they end or the SipGateway's drain.timeout, then the process exits 0."})
final class GatewayCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommand.class);
    /** A pod whose operator has not compiled its gateway yet keeps waiting; the Deployment restarts it after this. */
    private static final Duration FIRST_ROUTING_DOCUMENT = Duration.ofMinutes(10);

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Standalone from files, or in a pod from the routing Secret the operator compiles. */
    static final class Source {
        @Option(names = {"-c", "--config"}, paramLabel = "PATH", description = ConfigOptions.DESCRIPTION)
        List<Path> paths;

        @Option(names = "--routing-secret", paramLabel = "NAME",
                description = "Read the routing Secret NAME (key " + CompiledRouting.KEY + ") that the operator "
                        + "compiles, through the Kubernetes API, and follow its changes. How gateway pods run.")
        String routingSecret;
    }

    @Option(names = "--namespace", paramLabel = "NAMESPACE",
            description = "Namespace of --routing-secret. Default: POD_NAMESPACE, else the kubeconfig's namespace.")
    String namespace;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "IP",
            description = "Address SIP and RTP listen on. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--sip-port", paramLabel = "PORT", description = "Overrides the SipGateway's sip.port.")
    Integer sipPort;

    @Option(names = "--advertise", paramLabel = "ADDRESS",
            description = "Address put in Contact and SDP. Default: the SipGateway's media.externalAddress, or the "
                    + "bind address when that is auto.")
    String advertise;

    @Option(names = "--advertise-file", paramLabel = "PATH",
            description = "Read the address for Contact and SDP from this file, waiting up to 3 minutes for it: how "
                    + "a pod learns its node's ExternalIP (media.externalAddress nodeExternalIP; the operator writes it "
                    + "into a pod annotation the downward API mounts, docs/operator.md).")
    String advertiseFile;

    @Option(names = "--peer", paramLabel = "NAME=IP:PORT",
            description = "A gateway of this fleet, this one included, with the address of its UDP SIP port as the "
                    + "others reach it; repeat for each. Behind a load balancer, a request for a call another gateway "
                    + "holds is relayed to it (docs/operations.md, \"Several gateways behind one load balancer\").")
    List<String> peerOptions = List.of();

    @Option(names = "--peer-name", paramLabel = "NAME",
            description = "This gateway's name among its peers. Default: $POD_NAME, else the host name.")
    String peerName;

    @Option(names = "--peers-from-service", paramLabel = "SERVICE",
            description = "In a pod: the fleet is the pods behind this Service, from its EndpointSlices (the "
                    + "operator sets it). Needs --routing-secret.")
    String peersService;

    @Option(names = "--admin-port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port of /healthz, /readyz, /metrics and /stats. Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @Option(names = "--admin-bind", defaultValue = "0.0.0.0", paramLabel = "IP",
            description = "Address of the admin endpoints. Default: ${DEFAULT-VALUE}.")
    String adminBind;

    @Option(names = "--media-timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "Hang up a call that sent no RTP for this long. Default: ${DEFAULT-VALUE}.")
    String mediaTimeout;

    @Option(names = "--invites-per-second", defaultValue = "20", paramLabel = "N",
            description = "New INVITEs accepted per source address and second (0: no limit). Default: ${DEFAULT-VALUE}.")
    double invitesPerSecond;

    @Option(names = "--invites-per-second-total", defaultValue = "200", paramLabel = "N",
            description = "New INVITEs accepted from all sources together per second, in bursts of twice that (0: no "
                    + "limit); more get 503 Gateway overloaded. Default: ${DEFAULT-VALUE}.")
    double invitesPerSecondTotal;

    @Option(names = "--nonce-lifetime", defaultValue = "5m", paramLabel = "DURATION",
            description = "How long a digest challenge's nonce stays valid; older ones get a new challenge with "
                    + "stale=true. Default: ${DEFAULT-VALUE}.")
    String nonceLifetime;

    @Option(names = "--answer-unknown-sources",
            description = "Answer INVITEs from sources no SipTrunk admits with 403 instead of dropping them.")
    boolean answerUnknownSources;

    @Option(names = "--await-counts-recorded", paramLabel = "DURATION",
            description = "After draining, wait up to DURATION for the operator to record this pod's final call "
                    + "counts before exiting (the operator sets it; docs/operator.md). Default: exit at once.")
    String awaitCountsRecorded;

    @Option(names = "--room-codec", paramLabel = "CODEC",
            description = "With the audio bridge, the codec of the caller's track in the room: auto (G.711 callers "
                    + "as they are where LiveKit takes it, else Opus) or opus. Default: the SipGateway's "
                    + "spec.media.roomCodec (auto).")
    RoomCodec roomCodec;

    @Option(names = "--bridge-audio", negatable = true,
            description = "Carry audio between the caller and the room over WebRTC (PCMU, PCMA, G722; docs/media.md); "
                    + "--no-bridge-audio makes a signalling-only gateway whose callers join without audio. Default: "
                    + "the SipGateway's spec.media.bridgeAudio (true). Read at start.")
    Boolean bridgeAudio;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        KubernetesClient kubernetes = null;
        SecretConfigWatcher secretWatcher = null;
        String podNamespace = null;
        LoadedConfig loaded;
        if (source.routingSecret != null) {
            kubernetes = new KubernetesClientBuilder().build();
            String ns = namespace != null ? namespace
                    : System.getenv("POD_NAMESPACE") != null ? System.getenv("POD_NAMESPACE") : kubernetes.getNamespace();
            podNamespace = ns == null ? "default" : ns;
            secretWatcher = new SecretConfigWatcher(kubernetes, podNamespace, source.routingSecret);
            loaded = secretWatcher.awaitFirst(FIRST_ROUTING_DOCUMENT);
        } else {
            loaded = ConfigOptions.load(source.paths, out, spec.commandLine().getErr());
            if (loaded == null) {
                return ExitCodes.FAILURE;
            }
        }
        SipGatewaySpec gateway = loaded.config().gateway().getSpec();
        RoutingState routing = new RoutingState(loaded);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        CallStats stats = new CallStats(metrics);
        CountsRecorded recorded = new CountsRecorded();
        // Read per call: a routing revision with rotated LiveKit credentials takes effect without a restart.
        RoomProvisioner rooms = new RoomProvisioner(
                () -> routing.current().loaded().config().gateway().getSpec().livekit(),
                new LiveKitBreaker(5, Duration.ofSeconds(5), System::nanoTime));
        stats.liveKitBreaker(rooms.breaker()::isOpen);
        String externalAddress = gateway.media().externalAddress();
        if (advertise == null && advertiseFile == null && GatewayMedia.NODE_EXTERNAL_IP.equals(externalAddress)) {
            spec.commandLine().getErr().println("media.externalAddress nodeExternalIP needs the operator, which "
                    + "passes --advertise-file; standalone, give the address itself in media.externalAddress or with "
                    + "--advertise");
            return ExitCodes.FAILURE;
        }
        String advertised = advertise != null ? advertise
                : advertiseFile != null ? AdvertisedAddress.await(Path.of(advertiseFile), ADVERTISE_FILE_WAIT)
                : !GatewayMedia.AUTO.equals(externalAddress) ? externalAddress
                : "0.0.0.0".equals(bind) ? InetAddress.getLocalHost().getHostAddress() : bind;
        SipServer.Settings settings = new SipServer.Settings(bind, sipPort != null ? sipPort : gateway.sip().port(),
                gateway.sip().transports(), advertised, gateway.media().rtpPortRange().min(),
                gateway.media().rtpPortRange().max(), gateway.maxActiveCallsPerPod(), invitesPerSecond,
                invitesPerSecondTotal, Durations.parse(mediaTimeout), Durations.parse(nonceLifetime),
                answerUnknownSources, tls(gateway),
                bridgeAudio != null ? bridgeAudio : gateway.media().bridgesAudio(),
                roomCodec != null ? roomCodec : gateway.media().roomCodec(),
                connectionLimits(gateway.sip().connections()), peers(kubernetes, podNamespace));
        Instant started = Instant.now();
        MediaWarmUp warmUp = settings.bridgeAudio() ? MediaWarmUp.start() : MediaWarmUp.none();
        CountDownLatch signalled = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> exitZeroWhenDrained(signalled, stopped),
                "drain-on-sigterm"));
        try (AutoCloseable fleet = settings.peers() instanceof AutoCloseable watched ? watched : () -> { };
             SipServer sip = new SipServer(settings, routing, stats, rooms);
             AutoCloseable watcher = watch(routing, secretWatcher);
             AutoCloseable client = kubernetes;
             AdminServer admin = new AdminServer(new InetSocketAddress(adminBind, adminPort),
                     () -> sip.admission().draining() ? Optional.of("draining")
                             : warmUp.done() ? Optional.empty() : Optional.of("warming up"), metrics,
                     () -> StatsReport.of(routing.current(), stats, recorded, sip.admission().draining(), started),
                     recorded::recorded, statsToken())) {
            admin.start();
            LOG.info("gateway {} running revision {} with LiveKit at {}", loaded.config().gateway().getMetadata().getName(),
                    loaded.revision(), rooms.url());
            signalled.await();
            drain(sip, routing.current().loaded().config().gateway().getSpec().drain().timeout());
            if (awaitCountsRecorded != null) {
                // The counts as the drain left them: INVITEs refused meanwhile (a scanner, a late carrier) must not
                // keep moving the goal. The operator's next read, if it comes before the exit, has them too.
                long drained = stats.sequence();
                SecretConfigWatcher routingSecret = secretWatcher;
                recorded.await(() -> drained, Durations.parse(awaitCountsRecorded),
                        () -> routingSecret != null && routingSecret.deleted());
            }
            LOG.info("exiting");
        } finally {
            stopped.countDown();
        }
        return ExitCodes.OK;
    }

    /**
     * The fleet: the pods behind --peers-from-service, or each --peer NAME=IP:PORT (which must name this gateway too),
     * or this gateway alone.
     */
    private java.util.function.Supplier<Peers> peers(KubernetesClient kubernetes, String namespace)
            throws java.net.UnknownHostException {
        String self = peerName != null ? peerName : System.getenv("POD_NAME") != null ? System.getenv("POD_NAME")
                : InetAddress.getLocalHost().getHostName();
        if (peersService != null) {
            if (kubernetes == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--peers-from-service reads EndpointSlices, which needs --routing-secret (a pod)");
            }
            return new EndpointSlicePeers(kubernetes, namespace, peersService, self);
        }
        List<Peer> listed = new java.util.ArrayList<>();
        for (String option : peerOptions) {
            java.util.regex.Matcher peer = PEER.matcher(option);
            if (!peer.matches()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--peer " + option
                        + ": expected NAME=IP:PORT, e.g. gw-0=10.0.0.5:5060 (an IP address, not a host name)");
            }
            int port = Integer.parseInt(peer.group(3));
            // The pattern admits only address literals, so this never asks DNS.
            InetAddress address = InetAddress.getByName(peer.group(2));
            if (port < 1 || port > 65535) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--peer " + option
                        + ": the port must be 1-65535");
            }
            listed.add(Peer.of(peer.group(1), new InetSocketAddress(address, port), true));
        }
        if (!listed.isEmpty() && listed.stream().noneMatch(peer -> peer.name().equals(self))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--peer lists no gateway named " + self
                    + " (this one; set --peer-name): every gateway must see the same fleet, itself included");
        }
        Peers fleet = new Peers(self, listed);
        if (!fleet.alone()) {
            LOG.info("fleet of {} gateways; this one is {} (id {}); requests for another's calls are relayed to it",
                    listed.size(), self, fleet.selfId());
        }
        return () -> fleet;
    }

    private static final java.util.regex.Pattern PEER = java.util.regex.Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9.-]*)=((?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}"
                    + "(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])|\\[[0-9a-fA-F:.]+\\]):([0-9]{1,5})");

    private static ConnectionGuard.Limits connectionLimits(io.dialtone.api.v1alpha1.SipConnections connections) {
        return new ConnectionGuard.Limits(Durations.parse(connections.idleTimeout()), connections.max(),
                connections.maxPerSource(), Durations.parse(connections.readTimeout()), connections.maxMessageBytes());
    }

    /**
     * The token /stats asks for: from a file (a mounted Secret in a pod, read for each request so a new token takes
     * effect), or from the environment; none when neither is set.
     */
    private static Supplier<Optional<String>> statsToken() {
        String file = System.getenv(StatsDocument.TOKEN_FILE_ENV);
        if (file != null && !file.isBlank()) {
            LOG.info("/stats answers only requests with the bearer token in {}", file);
            Path path = Path.of(file);
            return () -> {
                try {
                    return Optional.of(Files.readString(path).strip()).filter(token -> !token.isEmpty());
                } catch (IOException unreadable) {
                    LOG.warn("cannot read the /stats token in {}: {}; /stats refuses every request", path,
                            unreadable.toString());
                    return Optional.of(UNGUESSABLE);
                }
            };
        }
        String token = System.getenv(StatsDocument.TOKEN_ENV);
        if (token == null || token.isBlank()) {
            LOG.info("/stats is open to anyone who reaches the admin port; set {} or {} to require a bearer token",
                    StatsDocument.TOKEN_ENV, StatsDocument.TOKEN_FILE_ENV);
            return Optional::empty;
        }
        LOG.info("/stats answers only requests with the bearer token from {}", StatsDocument.TOKEN_ENV);
        Optional<String> fixed = Optional.of(token.strip());
        return () -> fixed;
    }

    private static final Duration ADVERTISE_FILE_WAIT = Duration.ofMinutes(3);

    /** What /stats compares with when its token file cannot be read: nobody knows it, so it stays closed. */
    private static final String UNGUESSABLE = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();

    private AutoCloseable watch(RoutingState routing, SecretConfigWatcher secretWatcher) throws IOException {
        if (secretWatcher != null) {
            secretWatcher.applyTo(routing);
            return secretWatcher;
        }
        FileConfigWatcher files = new FileConfigWatcher(source.paths, routing);
        files.start();
        return files;
    }

    private static SipServer.Tls tls(SipGatewaySpec gateway) {
        var tls = gateway.sip().tls();
        if (tls == null) {
            return null;
        }
        return new SipServer.Tls(tls.port(), tls.certificateFile() == null ? null : java.nio.file.Path.of(tls.certificateFile()),
                tls.privateKeyFile() == null ? null : java.nio.file.Path.of(tls.privateKeyFile()));
    }

    /**
     * The shutdown hook: wakes the main thread to drain, waits until it has, then ends the process with 0, since a
     * drained gateway stopped as asked (the JVM would otherwise report 143 for SIGTERM).
     */
    private static void exitZeroWhenDrained(CountDownLatch signalled, CountDownLatch stopped) {
        signalled.countDown();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(ExitCodes.OK);
    }

    /** Readiness goes false, new INVITEs get 503, and active calls get until the drain timeout to end. */
    private static void drain(SipServer sip, String drainTimeout) throws InterruptedException {
        sip.startDraining();
        LOG.info("draining: new INVITEs get 503; waiting up to {} for {} active call(s)", drainTimeout, sip.calls().size());
        if (!sip.calls().awaitEmpty(Durations.parse(drainTimeout))) {
            for (var call : sip.calls().all()) {
                call.hangUp("gateway drain timeout reached");
            }
            // The BYEs go out from the calls' own loops; a moment for them before the process ends.
            if (!sip.calls().awaitEmpty(Duration.ofSeconds(2))) {
                LOG.warn("{} call(s) still held after their BYE; exiting anyway", sip.calls().size());
            }
        }
        if (!sip.calls().awaitTeardowns(Duration.ofSeconds(10))) {
            LOG.warn("room legs still closing after 10 s; exiting anyway");
        }
        LOG.info("drained");
    }
}
