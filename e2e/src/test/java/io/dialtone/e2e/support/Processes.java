package io.dialtone.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a deadline, keeping its output for assertions and failure messages. */
public final class Processes {
    private Processes() {
    }

    public record Result(int exitCode, String out, String err) {
    }

    public static Process start(List<String> command, Path dir) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).start();
    }

    public static Result await(Process process, long seconds) throws InterruptedException {
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(process.info().command().orElse("process") + " did not finish within "
                    + seconds + " s:\n" + out.join() + err.join());
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    public static Result run(List<String> command, Path dir, long seconds) throws IOException, InterruptedException {
        return await(start(command, dir), seconds);
    }

    private static String read(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(could not read: " + e.getMessage() + ")";
        }
    }
}
