package io.dialtone.gateway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check routing documents the way the gateway and the API server would.",
                "Errors (exit 1) stop a gateway from loading the configuration; warnings (conflicts, shadowed rules, "
                        + "trunks no rule serves) do not."})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (config.load(out, spec.commandLine().getErr()) == null) {
            return ExitCodes.FAILURE;
        }
        out.println("ok");
        return ExitCodes.OK;
    }
}
