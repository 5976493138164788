package io.dialtone.gateway.cli;

import io.dialtone.config.ConfigException;
import io.dialtone.config.ConfigProblem;
import io.dialtone.config.LoadedConfig;
import io.dialtone.config.RoutingDocuments;
import io.dialtone.routing.Finding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** --config, shared by every subcommand that reads routing documents. */
final class ConfigOptions {
    static final String DESCRIPTION =
            "YAML file or directory of SipGateway, SipTrunk, DispatchRule and Secret documents. Repeatable.";

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "PATH", description = DESCRIPTION)
    List<Path> paths;

    LoadedConfig load(PrintWriter out, PrintWriter err) {
        return load(paths, out, err);
    }

    /** Loads the configuration, printing its problems or findings; null when it has errors. */
    static LoadedConfig load(List<Path> paths, PrintWriter out, PrintWriter err) {
        try {
            LoadedConfig loaded = RoutingDocuments.load(paths);
            out.printf("config %s (revision %s): %d gateway, %d trunk(s), %d rule(s)%n", describe(paths),
                    loaded.revision(), loaded.config().gateway() == null ? 0 : 1, loaded.config().trunks().size(),
                    loaded.config().rules().size());
            for (Finding finding : loaded.findings()) {
                out.println("warning: " + finding);
            }
            return loaded;
        } catch (ConfigException e) {
            err.printf("config %s has %d problem(s):%n", describe(paths), e.problems().size());
            for (ConfigProblem problem : e.problems()) {
                err.println("  " + problem);
            }
            return null;
        }
    }

    private static String describe(List<Path> paths) {
        return String.join(", ", paths.stream().map(Path::toString).toList());
    }
}
