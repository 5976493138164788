package io.dialtone.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dialtone command line: check a configuration, see how it routes calls, run the gateway, import LiveKit SIP's. */
@Command(name = "dialtone", mixinStandardHelpOptions = true, versionProvider = DialtoneCommand.Version.class,
        description = "Dialtone: inbound SIP trunks into LiveKit rooms.",
        subcommands = {ValidateCommand.class, RouteCommand.class, GatewayCommand.class, ImportCommand.class,
                CommandLine.HelpCommand.class})
public final class DialtoneCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new DialtoneCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("dialtone: " + e.getMessage());
                    return ExitCodes.FAILURE;
                });
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DialtoneCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dialtone " + (version == null ? "development build" : version)};
        }
    }
}
