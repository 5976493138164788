package io.dialtone.gateway.config;

import io.dialtone.config.RoutingDocuments;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration files when they change. A valid change is applied at once; an invalid one is logged
 * problem by problem and the running configuration stays. Editors and ConfigMap updates write in several steps,
 * so changes are gathered for a short quiet period before reloading. Only changes to the configuration count: a
 * file named on its own is watched through its directory, where other files (logs, say) may change many times a
 * second, and reading the configuration again for each of those would be work for nothing.
 */
public final class FileConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileConfigWatcher.class);
    private static final Duration QUIET = Duration.ofMillis(250);

    private final List<Path> paths;
    private final RoutingState state;
    private final WatchService watcher;
    /** Per watched directory, which names in it are the configuration's. */
    private final Map<Path, Predicate<Path>> watched = new HashMap<>();
    private final Thread thread;

    public FileConfigWatcher(List<Path> paths, RoutingState state) throws IOException {
        this.paths = List.copyOf(paths);
        this.state = state;
        this.watcher = FileSystems.getDefault().newWatchService();
        for (Path path : paths) {
            Path absolute = path.toAbsolutePath().normalize();
            if (Files.isDirectory(absolute)) {
                watched.put(absolute, name -> true);
            } else {
                watchFile(absolute);
                if (Files.isSymbolicLink(absolute)) {
                    // An edit of the file a link names changes the configuration under the link's name too.
                    watchFile(absolute.toRealPath());
                }
            }
        }
        for (Path directory : watched.keySet()) {
            directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        this.thread = new Thread(this::watch, "config-watcher");
        this.thread.setDaemon(true);
        LOG.info("watching {} for configuration changes", new TreeSet<>(watched.keySet()));
    }

    private void watchFile(Path file) {
        Path name = file.getFileName();
        // A mounted ConfigMap or Secret changes by swapping its "..data" link, not the file's own name.
        Predicate<Path> ours = changed -> changed.equals(name) || changed.toString().startsWith("..");
        watched.merge(file.getParent(), ours, (one, other) -> changed -> one.test(changed) || other.test(changed));
    }

    public void start() {
        thread.start();
    }

    private void watch() {
        try {
            while (true) {
                if (!drain(watcher.take())) {
                    continue;
                }
                // Quiet means no change to the configuration for a while; other files may change all the time.
                long quietAt = System.nanoTime() + QUIET.toNanos();
                for (long left = QUIET.toNanos(); left > 0; left = quietAt - System.nanoTime()) {
                    WatchKey more = watcher.poll(left, TimeUnit.NANOSECONDS);
                    if (more == null) {
                        break;
                    }
                    if (drain(more)) {
                        quietAt = System.nanoTime() + QUIET.toNanos();
                    }
                }
                reload();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the key's events touch the configuration; a lost event (overflow) may have. */
    private boolean drain(WatchKey key) {
        boolean changed = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            changed |= event.kind() == StandardWatchEventKinds.OVERFLOW
                    || concerns((Path) key.watchable(), (Path) event.context());
        }
        key.reset();
        return changed;
    }

    /** Whether a change of {@code name} in {@code directory} may change the configuration. */
    boolean concerns(Path directory, Path name) {
        return watched.getOrDefault(directory, any -> true).test(name);
    }

    /** Loads the files again and applies them if they are valid; public so a signal or a test can ask for it. */
    public boolean reload() {
        return state.update(() -> RoutingDocuments.load(paths));
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
    }
}
