package io.dialtone.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where scripts/install-test-tools.sh put the real components: read from the environment, or from the env file
 * the script writes into its cache, so tests run the same from scripts/test.sh and from a plain mvn verify.
 */
public final class Toolchain {
    private static final Map<String, String> FILE = readEnvFile();

    private Toolchain() {
    }

    public static Path root() {
        return Path.of(System.getProperty("dialtone.root", "..")).toAbsolutePath().normalize();
    }

    public static Path livekitServer() {
        return executable("DIALTONE_LIVEKIT_SERVER");
    }

    public static Path kubectl() {
        return executable("DIALTONE_KUBECTL");
    }

    public static Path kubeControllerManager() {
        return executable("DIALTONE_KUBE_CONTROLLER_MANAGER");
    }

    public static Path python() {
        return executable("DIALTONE_PYTHON");
    }

    public static Path helm() {
        return executable("DIALTONE_HELM");
    }

    public static Path lua() {
        return executable("DIALTONE_LUA");
    }

    public static Path kubeApiTestDir() {
        return Path.of(value("DIALTONE_KUBE_API_TEST_DIR"));
    }

    public static String kubernetesVersion() {
        return value("DIALTONE_KUBERNETES_VERSION");
    }

    private static Path executable(String name) {
        Path path = Path.of(value(name));
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(name + "=" + path + " is not an executable; run scripts/install-test-tools.sh");
        }
        return path;
    }

    private static String value(String name) {
        String value = System.getenv(name);
        if (value == null) {
            value = FILE.get(name);
        }
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(name + " is not set and " + envFile()
                    + " does not define it; run scripts/install-test-tools.sh first");
        }
        return value;
    }

    private static Path envFile() {
        String tools = System.getenv("DIALTONE_TOOLS");
        return (tools != null ? Path.of(tools) : Path.of(System.getProperty("user.home"), ".cache", "dialtone", "tools"))
                .resolve("env");
    }

    private static Map<String, String> readEnvFile() {
        Map<String, String> values = new HashMap<>();
        Path file = envFile();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return values;
    }
}
