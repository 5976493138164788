package io.dialtone.gateway.livekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveKitBreakerTest {
    private final AtomicLong now = new AtomicLong();
    private final LiveKitBreaker breaker = new LiveKitBreaker(3, Duration.ofSeconds(5), now::get);
    private final AtomicInteger calls = new AtomicInteger();

    private String down() throws IOException {
        calls.incrementAndGet();
        throw new IOException("connect timed out");
    }

    private String up() {
        calls.incrementAndGet();
        return "room";
    }

    @Test
    void afterFailuresInARowCallsFailAtOnceUntilATrialSucceeds() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> breaker.call("create room", this::down)).hasMessage("connect timed out");
        }
        assertThat(breaker.isOpen()).isTrue();
        assertThatThrownBy(() -> breaker.call("create room", this::up))
                .isInstanceOf(LiveKitBreaker.OpenException.class).hasMessageContaining("LiveKit is failing");
        assertThat(calls).as("LiveKit not called while open").hasValue(3);

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(breaker.call("create room", this::up)).isEqualTo("room");
        assertThat(breaker.isOpen()).isFalse();
        assertThat(calls).hasValue(4);
    }

    @Test
    void aFailedTrialOpensItAgainAndASuccessResetsTheCount() throws Exception {
        breaker.call("a", this::up);
        assertThatThrownBy(() -> breaker.call("a", this::down)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> breaker.call("a", this::down)).isInstanceOf(IOException.class);
        breaker.call("a", this::up);
        assertThatThrownBy(() -> breaker.call("a", this::down)).isInstanceOf(IOException.class);
        assertThat(breaker.isOpen()).as("two failures, a success, one failure").isFalse();

        assertThatThrownBy(() -> breaker.call("a", this::down)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> breaker.call("a", this::down)).isInstanceOf(IOException.class);
        assertThat(breaker.isOpen()).isTrue();
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThatThrownBy(() -> breaker.call("a", this::down)).hasMessage("connect timed out");
        assertThatThrownBy(() -> breaker.call("a", this::up)).isInstanceOf(LiveKitBreaker.OpenException.class);
    }

    @Test
    void aTrialEndedByAnErrorStillEndsTheTrial() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> breaker.call("a", this::down)).isInstanceOf(IOException.class);
        }
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThatThrownBy(() -> breaker.call("a", () -> {
            throw new StackOverflowError();
        })).isInstanceOf(StackOverflowError.class);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(breaker.call("a", this::up)).as("a new trial, not one stuck forever").isEqualTo("room");
    }

    @Test
    void aRequestLiveKitRefusesForItselfDoesNotCountButRefusedCredentialsDo() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> breaker.call("a", () -> {
                throw new LiveKitBreaker.RefusedException("HTTP 400 bad agent name", 400);
            })).isInstanceOf(LiveKitBreaker.RefusedException.class);
        }
        assertThat(breaker.isOpen()).as("LiveKit answered every time").isFalse();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> breaker.call("a", () -> {
                throw new LiveKitBreaker.RefusedException("HTTP 401", 401);
            })).isInstanceOf(LiveKitBreaker.RefusedException.class);
        }
        assertThat(breaker.isOpen()).isTrue();
    }
}
