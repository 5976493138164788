package io.dialtone.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;

/**
 * Whether tests that need containers can run. Testcontainers is asked only when there is something to ask it
 * about (DOCKER_HOST, or a socket where engines put theirs): where there is none, its search would fill the log
 * with stack traces for what one line says.
 */
public final class DockerEngine {
    private DockerEngine() {
    }

    public static boolean available() {
        return !candidates().isEmpty() && DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * Why the engine cannot provide {@code images} (present locally, or pulled within two minutes each), or null
     * when it can: an engine that runs but reaches no registry is a machine to skip on, not a failure.
     */
    public static String missingImages(List<String> images) {
        List<String> missing = new ArrayList<>();
        for (String image : images) {
            try {
                var client = DockerClientFactory.instance().client();
                boolean present = !client.listImagesCmd().withImageNameFilter(image).exec().isEmpty();
                if (!present && !client.pullImageCmd(image).start()
                        .awaitCompletion(2, java.util.concurrent.TimeUnit.MINUTES)) {
                    missing.add(image + " (pull timed out)");
                }
            } catch (RuntimeException e) {
                missing.add(image + " (" + e.getMessage() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing.add(image + " (interrupted)");
            }
        }
        return missing.isEmpty() ? null : "the Docker engine cannot provide " + String.join(", ", missing);
    }

    public static String describe() {
        List<String> candidates = candidates();
        return candidates.isEmpty() ? "DOCKER_HOST is unset and no Docker socket exists"
                : "none answered at " + String.join(", ", candidates);
    }

    private static List<String> candidates() {
        List<String> found = new ArrayList<>();
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            found.add("DOCKER_HOST=" + host);
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        for (Path socket : List.of(Path.of("/var/run/docker.sock"),
                Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"),
                Path.of(runtime != null ? runtime : "/nonexistent", "docker.sock"))) {
            if (Files.exists(socket)) {
                found.add(socket.toString());
            }
        }
        return found;
    }
}
