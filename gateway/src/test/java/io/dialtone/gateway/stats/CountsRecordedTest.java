package io.dialtone.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CountsRecordedTest {
    @Test
    void nothingToRecordReturnsAtOnce() throws Exception {
        assertThat(new CountsRecorded().await(() -> 0, Duration.ZERO, () -> false)).isTrue();
    }

    @Test
    void countersNotRecordedInTimeReturnFalse() throws Exception {
        CountsRecorded recorded = new CountsRecorded();
        recorded.recorded(3);
        assertThat(recorded.await(() -> 4, Duration.ZERO, () -> false)).isFalse();
    }

    @Test
    void aGatewayThatIsGoneEndsTheWait() throws Exception {
        assertThat(new CountsRecorded().await(() -> 4, Duration.ofMinutes(5), () -> true)).isFalse();
    }

    @Test
    void theOperatorsReportEndsTheWaitAndAnOlderOneIsIgnored() throws Exception {
        CountsRecorded recorded = new CountsRecorded();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return recorded.await(() -> 7, Duration.ofMinutes(5), () -> false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        recorded.recorded(7);
        recorded.recorded(2);
        assertThat(waiting.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorded.sequence()).isEqualTo(7);
    }
}
