package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.routing.Reason;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger active = new AtomicInteger();

    @Test
    void aSourceGetsItsBurstThenItsRate() throws Exception {
        Admission admission = new Admission(active::get, null, 2, 4, 0, clock);
        InetAddress carrier = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 4; i++) {
            assertThat(admission.check(carrier)).as("INVITE %d of the burst", i).isEmpty();
        }
        assertThat(admission.check(carrier)).contains(Reason.RATE_LIMITED);
        clock.advance(Duration.ofMillis(500));
        assertThat(admission.check(carrier)).isEmpty();
        assertThat(admission.check(carrier)).contains(Reason.RATE_LIMITED);
    }

    @Test
    void sourcesAreLimitedSeparately() throws Exception {
        Admission admission = new Admission(active::get, null, 1, 1, 0, clock);
        assertThat(admission.check(InetAddress.getByName("192.0.2.1"))).isEmpty();
        assertThat(admission.check(InetAddress.getByName("192.0.2.1"))).contains(Reason.RATE_LIMITED);
        assertThat(admission.check(InetAddress.getByName("192.0.2.2"))).isEmpty();
    }

    @Test
    void allSourcesTogetherGetTwiceTheTotalRateAsABurstThenTheTotalRate() throws Exception {
        Admission admission = new Admission(active::get, null, 1, 1, 5, clock);
        for (int i = 0; i < 10; i++) {
            assertThat(admission.check(InetAddress.getByName("192.0.2." + (i + 1)))).as("INVITE %d", i).isEmpty();
        }
        assertThat(admission.check(InetAddress.getByName("192.0.2.200"))).contains(Reason.OVERLOADED);
        clock.advance(Duration.ofMillis(200));
        assertThat(admission.check(InetAddress.getByName("192.0.2.201"))).isEmpty();
        assertThat(admission.check(InetAddress.getByName("192.0.2.202"))).contains(Reason.OVERLOADED);
        assertThat(admission.check(InetAddress.getByName("192.0.2.201"))).as("the source's own limit comes first")
                .contains(Reason.RATE_LIMITED);
    }

    @Test
    void aZeroRateMeansNoLimit() throws Exception {
        Admission admission = new Admission(active::get, null, 0, 0, 0, clock);
        for (int i = 0; i < 1000; i++) {
            assertThat(admission.check(InetAddress.getByName("192.0.2.1"))).isEmpty();
        }
    }

    @Test
    void capacityAndDrainingComeBeforeTheRate() throws Exception {
        Admission admission = new Admission(active::get, 2, 10, 10, 0, clock);
        InetAddress carrier = InetAddress.getByName("192.0.2.1");
        active.set(2);
        assertThat(admission.check(carrier)).contains(Reason.CAPACITY);
        active.set(1);
        assertThat(admission.check(carrier)).isEmpty();
        admission.startDraining();
        assertThat(admission.check(carrier)).contains(Reason.DRAINING);
        assertThat(admission.draining()).isTrue();
    }

    @Test
    void sourcesThatStoppedSendingAreForgottenSoMemoryFollowsTheFlood() throws Exception {
        Admission admission = new Admission(active::get, null, 1, 2, 0, clock);
        for (int i = 0; i < Admission.SWEEP_ABOVE + 5_000; i++) {
            admission.check(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
        }
        assertThat(admission.tracked()).isGreaterThan(Admission.SWEEP_ABOVE);
        clock.advance(java.time.Duration.ofSeconds(1));
        admission.check(InetAddress.getByName("198.51.100.1"));
        assertThat(admission.tracked()).as("buckets not yet refilled are kept").isGreaterThan(Admission.SWEEP_ABOVE);
        clock.advance(java.time.Duration.ofSeconds(1));
        admission.check(InetAddress.getByName("198.51.100.2"));
        assertThat(admission.tracked()).as("full buckets forgotten").isLessThan(10);
    }
}
