package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialtone.e2e.support.ArgoHealth;
import io.dialtone.e2e.support.Documents;
import io.dialtone.e2e.support.Eventually;
import io.dialtone.e2e.support.KubeApi;
import io.dialtone.e2e.support.Ports;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * charts/dialtone as helm renders it: lint, schema, and the rendered manifests against a real kube-apiserver; then
 * helm installs it there, and the operator jar runs with nothing but the chart's RBAC (impersonating its
 * ServiceAccount) and reconciles the quickstart.
 */
class HelmChartIT {
    private static final Path DIR = Path.of("target", "helm-chart-it").toAbsolutePath();
    private static final Path CHART = Toolchain.root().resolve("charts/dialtone");
    private static final Path FULL_VALUES = CHART.resolve("ci/full-values.yaml");
    private static final String NAMESPACE = "dialtone-system";
    private static KubeApi api;

    @BeforeAll
    static void startApiServer() throws Exception {
        Files.createDirectories(DIR);
        api = KubeApi.start(DIR.resolve("kube"));
        api.installCrds(CHART.resolve("crds"));
        for (String namespace : List.of(NAMESPACE, "voice-system", "telephony", "telephony-staging", "monitoring",
                "demo")) {
            api.kubectlOk(null, "create", "namespace", namespace);
        }
    }

    @AfterAll
    static void stopApiServer() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void theChartShipsExactlyTheGeneratedCrds() throws IOException {
        assertThat(names(CHART.resolve("crds"))).isEqualTo(names(Toolchain.root().resolve("crds")));
        for (String name : names(Toolchain.root().resolve("crds"))) {
            assertThat(Files.readString(CHART.resolve("crds").resolve(name)))
                    .as("charts/dialtone/crds/%s differs from crds/%s: run scripts/update-crds.sh", name, name)
                    .isEqualTo(Files.readString(Toolchain.root().resolve("crds").resolve(name)));
        }
    }

    @Test
    void helmLintPassesWithDefaultAndFullValues() throws Exception {
        assertThat(helm("lint", "--strict", CHART.toString()).exitCode()).isZero();
        assertThat(helm("lint", "--strict", CHART.toString(), "-f", FULL_VALUES.toString()).exitCode()).isZero();
    }

    @Test
    void badValuesFailBeforeAnythingIsInstalled() throws Exception {
        assertThat(helmFails("--set", "operator.statsInterval=soon"))
                .contains("/operator/statsInterval").contains("does not match pattern");
        assertThat(helmFails("--set", "operator.replica=2")).contains("additional properties 'replica' not allowed");
        assertThat(helmFails("--set", "gateway.create=true"))
                .contains("/gateway/spec/livekit/url").contains("does not match pattern");
        assertThat(helmFails("--set", "serviceAccount.create=false"))
                .contains("serviceAccount.name must name an existing ServiceAccount");
    }

    /**
     * prometheus-adapter registers v1beta1.custom.metrics.k8s.io; the chart's v1beta2 would become the group's
     * preferred version and take the other autoscalers' metrics away, so the install stops and says what to do.
     */
    @Test
    void anotherCustomMetricsServerStopsTheInstallWithWhatToDo() throws Exception {
        Path adapter = write("adapter-apiservice.yaml", """
                apiVersion: apiregistration.k8s.io/v1
                kind: APIService
                metadata: {name: v1beta1.custom.metrics.k8s.io}
                spec: {group: custom.metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100,
                       versionPriority: 100, insecureSkipTLSVerify: true,
                       service: {name: prometheus-adapter, namespace: monitoring}}
                """);
        api.kubectlOk(null, "apply", "-f", adapter.toString());
        try {
            List<String> install = List.of(Toolchain.helm().toString(), "install", "adapter-test", CHART.toString(),
                    "--namespace", NAMESPACE, "--dry-run=server", "--kubeconfig", api.kubeconfig().toString());
            Processes.Result refused = Processes.run(install, DIR, 60);
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.err()).contains("APIService v1beta1.custom.metrics.k8s.io already serves "
                    + "custom.metrics.k8s.io (Service monitoring/prometheus-adapter)", "customMetrics.enabled=false");
            List<String> without = new ArrayList<>(install);
            without.addAll(List.of("--set", "customMetrics.enabled=false"));
            Processes.Result accepted = Processes.run(without, DIR, 60);
            assertThat(accepted.exitCode()).as("%s%s", accepted.out(), accepted.err()).isZero();
        } finally {
            api.kubectlOk(null, "delete", "apiservice", "v1beta1.custom.metrics.k8s.io");
        }
    }

    @Test
    void theDefaultRenderingIsAcceptedByTheApiServer() throws Exception {
        String rendered = render("default");
        assertThat(kinds(rendered)).as("the operator's rules, its get on Nodes, the custom metrics API")
                .containsExactlyInAnyOrder("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ClusterRole",
                        "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment", "Service", "APIService",
                        "RoleBinding");
        dryRun(rendered);
    }

    @Test
    void theFullRenderingIsAcceptedByTheApiServer() throws Exception {
        String rendered = render("full", "-f", FULL_VALUES.toString());
        assertThat(kinds(rendered)).containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "ClusterRole",
                "ClusterRoleBinding", "Role", "Role", "Role", "RoleBinding", "RoleBinding", "RoleBinding", "Service",
                "Deployment", "SipGateway", "Service", "APIService", "RoleBinding");
        assertThat(rendered).contains("--namespace=telephony", "--namespace=telephony-staging",
                "image: \"registry.example.com/voice/operator:0.1.0-rc.1\"",
                "--gateway-image=registry.example.com/voice/gateway:0.1.0-rc.1", "grafana_dashboard: \"1\"",
                "\"uid\": \"dialtone-gateway\"");
        dryRun(rendered);
    }

    @Test
    void theOperatorWorksWithOnlyTheChartsClusterRole() throws Exception {
        operatorReconcilesQuickstartWithOnlyTheChartsPermissions("t", NAMESPACE, "demo");
    }

    @Test
    void theOperatorWorksWithOnlyTheChartsRolesInWatchedNamespaces() throws Exception {
        // One release per cluster serves custom.metrics.k8s.io; the other test's release holds it.
        operatorReconcilesQuickstartWithOnlyTheChartsPermissions("voice", "voice-system", "telephony",
                "--set", "operator.watchNamespaces={telephony}", "--set", "customMetrics.enabled=false");
    }

    /**
     * helm install, as users install; then the operator jar with the installed Deployment's arguments, as the
     * chart's ServiceAccount (the admin certificate impersonating it), and the quickstart applied.
     */
    private void operatorReconcilesQuickstartWithOnlyTheChartsPermissions(String release, String releaseNamespace,
                                                                          String namespace, String... values)
            throws Exception {
        List<String> installArgs = new ArrayList<>(List.of("install", release, CHART.toString(), "--namespace",
                releaseNamespace, "--kubeconfig", api.kubeconfig().toString()));
        installArgs.addAll(List.of(values));
        String notes = helm(installArgs.toArray(String[]::new)).out();
        assertThat(notes).contains("kubectl -n " + releaseNamespace + " rollout status deployment/" + release
                + "-dialtone-operator", "Next, a SipGateway", "kubectl get sip -A");
        String rendered = helm("get", "manifest", release, "--namespace", releaseNamespace, "--kubeconfig",
                api.kubeconfig().toString()).out();
        int port = Ports.free();
        Path log = DIR.resolve(release + "-operator.log");
        List<String> command = new ArrayList<>(List.of("java", "-jar",
                Toolchain.root().resolve("operator/target/dialtone-operator.jar").toString()));
        List<String> args = operatorArgs(rendered);
        args.stream().filter(arg -> !arg.startsWith("--health-port") && !arg.startsWith("--custom-metrics-port"))
                .forEach(command::add);
        command.add("--health-port=" + port);
        if (args.stream().anyMatch(arg -> arg.startsWith("--custom-metrics-port"))) {
            command.add("--custom-metrics-port=" + Ports.free());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", api.kubeconfig().toString());
        builder.environment().put("KUBERNETES_IMPERSONATE_USERNAME",
                "system:serviceaccount:" + releaseNamespace + ":" + release + "-dialtone-operator");
        builder.environment().put("KUBERNETES_IMPERSONATE_GROUP", "system:serviceaccounts,system:serviceaccounts:"
                + releaseNamespace + ",system:authenticated");
        builder.environment().put("POD_NAMESPACE", releaseNamespace);
        builder.environment().put("DIALTONE_LOG_FORMAT", "text");
        Process operator = builder.start();
        try {
            api.kubectlOk(null, "apply", "--server-side", "-n", namespace, "-f",
                    Toolchain.root().resolve("examples/quickstart").toString());
            Eventually.until("the gateway's Deployment and the trunk compiled", Duration.ofSeconds(90),
                    () -> api.kubectl(null, "get", "-n", namespace, "deployment/dialtone-gateway").exitCode() == 0
                            && "True".equals(api.kubectl(null, "get", "-n", namespace, "siptrunk/any-caller", "-o",
                            "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").out()),
                    () -> read(log));
            for (String kind : List.of("serviceaccount", "role", "rolebinding", "secret", "service",
                    "poddisruptionbudget")) {
                assertThat(api.kubectl(null, "get", "-n", namespace, kind, "-l",
                        "app.kubernetes.io/instance=dialtone", "-o", "name").out()).as(kind).isNotBlank();
            }
            assertThat(api.kubectlOk(null, "get", "lease", "-n", releaseNamespace, "dialtone-operator", "-o",
                    "jsonpath={.spec.holderIdentity}")).isNotBlank();
            assertThat(read(log)).doesNotContainIgnoringCase("forbidden");
            assertLeastPrivilege(releaseNamespace, release, namespace);
            // Argo CD's view of what the operator wrote: no pod runs, so the gateway is on its way, not broken.
            ArgoHealth.Health gateway = liveHealth(namespace, "sipgateway/dialtone");
            assertThat(gateway.status()).isEqualTo("Progressing");
            assertThat(gateway.message()).startsWith("SipGateway dialtone has no ready pod to run routing revision");
            assertThat(liveHealth(namespace, "siptrunk/any-caller").status()).isIn("Progressing", "Healthy");
        } finally {
            operator.destroy();
            operator.waitFor();
        }
    }

    /**
     * What each service account may do in the gateway's namespace, as {@code kubectl auth can-i --list} reports it,
     * is exactly what docs/operator.md lists: no wildcard, no verb or resource more (the default discovery rules
     * every authenticated user has are left out).
     */
    private static void assertLeastPrivilege(String releaseNamespace, String release, String namespace)
            throws Exception {
        String operator = "system:serviceaccount:" + releaseNamespace + ":" + release + "-dialtone-operator";
        assertThat(permissions(operator, namespace)).as("the operator's permissions in %s", namespace)
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.ofEntries(
                        java.util.Map.entry("sipgateways.dialtone.io", "get list watch"),
                        java.util.Map.entry("siptrunks.dialtone.io", "get list watch"),
                        java.util.Map.entry("dispatchrules.dialtone.io", "get list watch"),
                        java.util.Map.entry("sipgateways.dialtone.io/status", "patch"),
                        java.util.Map.entry("siptrunks.dialtone.io/status", "patch"),
                        java.util.Map.entry("dispatchrules.dialtone.io/status", "patch"),
                        java.util.Map.entry("secrets", "get list watch create patch"),
                        java.util.Map.entry("configmaps", "get list watch create update"),
                        java.util.Map.entry("pods", "get list watch patch"),
                        java.util.Map.entry("nodes", "get"),
                        java.util.Map.entry("services", "get list watch create patch delete"),
                        java.util.Map.entry("serviceaccounts", "get list watch create patch delete"),
                        java.util.Map.entry("events", "create"),
                        java.util.Map.entry("deployments.apps", "get list watch create patch delete"),
                        java.util.Map.entry("roles.rbac.authorization.k8s.io", "get list watch create patch delete"),
                        java.util.Map.entry("rolebindings.rbac.authorization.k8s.io",
                                "get list watch create patch delete"),
                        java.util.Map.entry("poddisruptionbudgets.policy", "get list watch create patch delete"),
                        java.util.Map.entry("horizontalpodautoscalers.autoscaling",
                                "get list watch create patch delete"),
                        java.util.Map.entry("endpointslices.discovery.k8s.io", "get list watch")));
        assertThat(permissions("system:serviceaccount:" + namespace + ":dialtone-gateway", namespace))
                .as("a gateway pod's permissions").containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                        "secrets [dialtone-routing]", "get list watch",
                        "endpointslices.discovery.k8s.io", "get list watch"));
        assertThat(permissions(operator, "monitoring")).as("the operator's permissions where it has no business")
                .isEqualTo(releaseNamespace.equals(NAMESPACE) ? permissions(operator, namespace)
                        : java.util.Map.of("nodes", "get"));
    }

    /** Resource (with its names, when limited to some) to verbs, from kubectl auth can-i --list as {@code user}. */
    private static java.util.Map<String, String> permissions(String user, String namespace) throws Exception {
        String table = api.kubectlOk(null, "auth", "can-i", "--list", "-n", namespace, "--as", user, "--as-group",
                "system:serviceaccounts", "--as-group", "system:authenticated");
        java.util.Map<String, String> permissions = new java.util.TreeMap<>();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile(
                "^(\\S+)\\s+\\[(.*?)\\]\\s+\\[(.*?)\\]\\s+\\[(.*?)\\]\\s*$");
        for (String line : table.lines().skip(1).toList()) {
            java.util.regex.Matcher m = row.matcher(line);
            if (m.matches() && !m.group(1).startsWith("selfsubject")) {
                permissions.put(m.group(1) + (m.group(3).isEmpty() ? "" : " [" + m.group(3) + "]"), m.group(4));
            }
        }
        return permissions;
    }

    private static ArgoHealth.Health liveHealth(String namespace, String resource) throws Exception {
        JsonNode live = new ObjectMapper().readTree(api.kubectlOk(null, "get", "-n", namespace, resource, "-o", "json"));
        return ArgoHealth.evaluate(live, DIR);
    }

    private static List<String> operatorArgs(String rendered) throws IOException {
        JsonNode deployment = Documents.parse(rendered).stream()
                .filter(doc -> "Deployment".equals(doc.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("the chart renders no Deployment"));
        List<String> args = new ArrayList<>();
        deployment.at("/spec/template/spec/containers/0/args").forEach(arg -> args.add(arg.asText()));
        return args;
    }

    private static Processes.Result helm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Toolchain.helm().toString()));
        command.addAll(List.of(args));
        Processes.Result result = Processes.run(command, DIR, 60);
        assertThat(result.exitCode()).as("helm %s:%n%s%s", String.join(" ", args), result.out(), result.err())
                .isZero();
        return result;
    }

    private static String helmFails(String... values) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Toolchain.helm().toString(), "template", "t",
                CHART.toString(), "--namespace", NAMESPACE));
        command.addAll(List.of(values));
        Processes.Result result = Processes.run(command, DIR, 60);
        assertThat(result.exitCode()).as("helm template %s should fail", String.join(" ", values)).isNotZero();
        return result.err();
    }

    /** Each rendering its own release, so dry runs never meet objects another test installed. */
    private static String render(String release, String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("template", release, CHART.toString(), "--namespace", NAMESPACE));
        args.addAll(List.of(extra));
        return helm(args.toArray(String[]::new)).out();
    }

    private static void dryRun(String rendered) throws IOException, InterruptedException {
        Path file = write("rendered-" + System.nanoTime() + ".yaml", rendered);
        // The APIService is one per cluster, and a release installed by another test of this class may hold it:
        // whether the API server takes the objects is the question here, not who manages them.
        String out = api.kubectlOk(null, "apply", "--server-side", "--dry-run=server", "--field-manager=helm-test",
                "--force-conflicts", "-f", file.toString());
        assertThat(out).contains("serverside-applied (server dry run)");
    }

    private static List<String> kinds(String rendered) throws IOException {
        return Documents.parse(rendered).stream().filter(doc -> doc.has("kind")).map(doc -> doc.get("kind").asText())
                .toList();
    }

    private static Path write(String name, String content) throws IOException {
        Path file = DIR.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
