package io.dialtone.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.dialtone.config.LiveKitImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Turn LiveKit SIP's inbound trunks and dispatch rules into SipTrunk and DispatchRule YAML, with "
                + "a Secret for each trunk's credentials and each rule's PIN.",
                "Reads what `lk sip inbound list --json` and `lk sip dispatch list --json` print, and the JSON files "
                        + "`lk sip inbound create` and `lk sip dispatch create` take. What has no equivalent is "
                        + "left out with the reason on stderr (exit 1); the rest is still written.",
                "Example: lk sip inbound list --json > trunks.json; lk sip dispatch list --json > rules.json; "
                        + "dialtone import trunks.json rules.json --gateway-ref dialtone > sip.yaml"})
final class ImportCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every string quoted: a PIN like 0123 or a number like +15550100 must stay a string for kubectl too. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "JSON files; - reads standard input.")
    List<String> files;

    @Option(names = "--gateway-ref", paramLabel = "NAME",
            description = "The SipGateway the resources belong to. Default: none (the namespace's only gateway).")
    String gatewayRef;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<JsonNode> inputs = new ArrayList<>();
        for (String file : files) {
            try {
                String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : Files.readString(Path.of(file));
                inputs.add(JSON.readTree(text));
            } catch (JsonProcessingException e) {
                err.println(file + ": not JSON: " + e.getOriginalMessage());
                return ExitCodes.FAILURE;
            } catch (IOException e) {
                err.println(file + ": cannot read it: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
        LiveKitImport.Result result = LiveKitImport.translate(inputs, gatewayRef);
        PrintWriter out = spec.commandLine().getOut();
        out.println("# Imported from LiveKit SIP by dialtone import. Secrets carry the trunks' passwords and the rules' "
                + "PINs: keep this file out of git, or move them to your secret store.");
        boolean first = true;
        for (JsonNode document : result.documents()) {
            try {
                out.print((first ? "" : "---\n") + YAML.writeValueAsString(document));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a document did not serialize", e);
            }
            first = false;
        }
        out.flush();
        result.refused().forEach(line -> err.println("not imported: " + line));
        return result.refused().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
