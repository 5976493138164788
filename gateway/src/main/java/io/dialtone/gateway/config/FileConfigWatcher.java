package io.dialtone.gateway.config;

import io.dialtone.config.RoutingDocuments;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration files when they change. A valid change is applied at once; an invalid one is logged
 * problem by problem and the running configuration stays. Editors and ConfigMap updates write in several steps,
 * so changes are gathered for a short quiet period before reloading.
 */
public final class FileConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileConfigWatcher.class);
    private static final Duration QUIET = Duration.ofMillis(250);

    private final List<Path> paths;
    private final RoutingState state;
    private final WatchService watcher;
    private final Thread thread;

    public FileConfigWatcher(List<Path> paths, RoutingState state) throws IOException {
        this.paths = List.copyOf(paths);
        this.state = state;
        this.watcher = FileSystems.getDefault().newWatchService();
        Set<Path> directories = new LinkedHashSet<>();
        for (Path path : paths) {
            Path absolute = path.toAbsolutePath();
            directories.add(Files.isDirectory(absolute) ? absolute : absolute.getParent());
        }
        for (Path directory : directories) {
            directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        this.thread = new Thread(this::watch, "config-watcher");
        this.thread.setDaemon(true);
        LOG.info("watching {} for configuration changes", directories);
    }

    public void start() {
        thread.start();
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                drain(key);
                WatchKey more;
                while ((more = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                reload();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
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
