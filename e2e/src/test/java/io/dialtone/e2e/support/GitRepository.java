package io.dialtone.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Git repository served read-only by {@code git daemon} on loopback, as a Git host serves a configuration
 * repository to Argo CD, with a work tree to commit to and push from. Branch {@code main}.
 */
public final class GitRepository implements AutoCloseable {
    private final Path workTree;
    private final Path log;
    private final int port;
    private final Process daemon;

    private GitRepository(Path workTree, Path log, int port, Process daemon) {
        this.workTree = workTree;
        this.log = log;
        this.port = port;
        this.daemon = daemon;
    }

    /** An empty repository under {@code dir} (whatever an earlier run left there is removed), served until closed. */
    public static GitRepository serve(Path dir) throws Exception {
        Directories.emptied(dir);
        Path served = dir.resolve("served");
        Path workTree = dir.resolve("work");
        Files.createDirectories(served);
        git(dir, "init", "--quiet", "--bare", "--initial-branch=main", served.resolve("dialtone.git").toString());
        git(dir, "init", "--quiet", "--initial-branch=main", workTree.toString());
        git(workTree, "remote", "add", "origin", served.resolve("dialtone.git").toString());
        int port = Ports.free();
        Path log = dir.resolve("git-daemon.log");
        Process daemon = new ProcessBuilder("git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + port,
                "--base-path=" + served, "--export-all", "--informative-errors", served.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GitRepository repository = new GitRepository(workTree, log, port, daemon);
        try {
            Eventually.until("git daemon on port " + port, Duration.ofSeconds(20),
                    () -> daemon.isAlive() && Ports.accepts(port), repository::daemonLog);
        } catch (AssertionError e) {
            repository.close();
            throw e;
        }
        return repository;
    }

    public String url() {
        return "git://127.0.0.1:" + port + "/dialtone.git";
    }

    public Path workTree() {
        return workTree;
    }

    /** Writes a file of the work tree, creating its directories. */
    public void write(String path, String text) throws IOException {
        Path file = workTree.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** Commits everything in the work tree and pushes it; the new commit's hash. */
    public String commit(String message) throws Exception {
        git(workTree, "add", "--all");
        git(workTree, "commit", "--quiet", "-m", message);
        return push();
    }

    /** Commits the reversal of {@code commit} and pushes it; the new commit's hash. */
    public String revert(String commit) throws Exception {
        git(workTree, "revert", "--no-edit", commit);
        return push();
    }

    private String push() throws Exception {
        git(workTree, "push", "--quiet", "origin", "main");
        return git(workTree, "rev-parse", "HEAD").trim();
    }

    private String daemonLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Dialtone tests", "-c",
                "user.email=tests@dialtone.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        Processes.Result result = Processes.run(command, dir, 60);
        assertThat(result.exitCode()).as("%s:\n%s%s", String.join(" ", command), result.out(), result.err()).isZero();
        return result.out();
    }

    @Override
    public void close() throws InterruptedException {
        daemon.destroy();
        daemon.waitFor();
    }
}
