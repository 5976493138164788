package io.dialtone.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.e2e.support.BridgedGateway;
import io.dialtone.e2e.support.NetworkNamespace;
import io.dialtone.e2e.support.Processes;
import io.dialtone.e2e.support.Sipp;
import io.dialtone.e2e.support.SippScenario;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * media.recycleAfterCalls bounds libwebrtc's native memory: after so many bridged calls the gateway drains and
 * exits with 0, to be restarted, without cutting a call.
 */
class GatewayRecycleIT {
    private static final Path DIR = Path.of("target", "gateway-recycle-it").toAbsolutePath();

    @Test
    void aGatewayRecyclesItselfAfterItsBridgedCalls() throws Exception {
        NetworkNamespace.assumeAvailable("GatewayRecycleIT");
        try (BridgedGateway bridged = BridgedGateway.start(DIR,
                "rtpPortRange: {min: 20000, max: 20100}, codecs: [PCMU], recycleAfterCalls: 3", """
                apiVersion: dialtone.io/v1alpha1
                kind: SipTrunk
                metadata: {name: any}
                spec: {answerWhen: joined}
                ---
                apiVersion: dialtone.io/v1alpha1
                kind: DispatchRule
                metadata: {name: lobby}
                spec:
                  direct: {roomName: recycle-test}
                """, List.of())) {
            SippScenario call = new SippScenario("recycle-call").invite("").optional(100).optional(180).expect(200)
                    .ack("1").pause(300).bye("2").expect(200);
            Path scenario = call.write(DIR);
            Processes.Result calls = bridged.namespace().run(Sipp.command(scenario, BridgedGateway.GATEWAY + ":5060",
                    BridgedGateway.GATEWAY, 5070, "+15550199", "+15550100", "-l", "1", "-m", "3", "-timeout", "60s"),
                    DIR, 90);
            assertThat(calls.exitCode()).as("three bridged calls: %s", calls.out()).isZero();
            assertThat(bridged.gateway().waitFor(30, TimeUnit.SECONDS)).as("the gateway exits after its third call:\n%s",
                    bridged.gatewayLog()).isTrue();
            assertThat(bridged.gateway().exitValue()).as("exit code").isZero();
            assertThat(bridged.gatewayLog()).contains("event=recycling bridgedCalls=3").contains("drained").contains("exiting");
        }
    }
}
