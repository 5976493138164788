package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PinAttemptsTest {
    private static final PinAttempts.Limits LIMITS = new PinAttempts.Limits(3, 5, Duration.ofMinutes(10),
            Duration.ofMinutes(15));
    private long now = -5_000_000_000L;
    private final PinAttempts attempts = new PinAttempts(LIMITS, () -> now);

    @Test
    void aCallerIsLockedOutAfterOneWrongPinTooManyAndLetInOnceTheLockoutIsOver() throws Exception {
        InetAddress guesser = InetAddress.getByName("203.0.113.9");
        for (int i = 0; i < 3; i++) {
            assertThat(attempts.wrong(guesser, "+15550100", "boardroom")).isEmpty();
        }
        assertThat(attempts.wrong(guesser, "+15550100", "boardroom")).hasValueSatisfying(lockout -> {
            assertThat(lockout.scope()).isEqualTo("source");
            assertThat(lockout.why()).contains("203.0.113.9 calling as +15550100").contains("900 s");
        });
        assertThat(attempts.locked(guesser, "+15550100", "another-rule")).as("a locked caller is locked for every rule")
                .isPresent();
        assertThat(attempts.locked(guesser, "+15550177", "boardroom")).as("another caller behind the same carrier")
                .isEmpty();
        now += Duration.ofMinutes(15).plusSeconds(1).toNanos();
        assertThat(attempts.locked(guesser, "+15550100", "boardroom")).isEmpty();
    }

    @Test
    void wrongPinsOutsideTheWindowStartTheCountAgain() throws Exception {
        InetAddress caller = InetAddress.getByName("198.51.100.4");
        for (int i = 0; i < 10; i++) {
            assertThat(attempts.wrong(caller, "+15550100", "rule-" + i % 2)).as("attempt %d", i).isEmpty();
            now += Duration.ofMinutes(4).toNanos();
        }
    }

    @Test
    void aRuleGuessedFromManySourcesIsLockedForAll() throws Exception {
        for (int i = 1; i <= 5; i++) {
            assertThat(attempts.wrong(InetAddress.getByName("192.0.2." + i), "+15550100", "boardroom")).isEmpty();
        }
        assertThat(attempts.wrong(InetAddress.getByName("192.0.2.6"), "+15550100", "boardroom"))
                .hasValueSatisfying(lockout -> assertThat(lockout.scope()).isEqualTo("rule"));
        assertThat(attempts.locked(InetAddress.getByName("192.0.2.99"), "+15550100", "boardroom")).isPresent();
        assertThat(attempts.locked(InetAddress.getByName("192.0.2.99"), "+15550100", "lobby")).isEmpty();
    }

    @Test
    void memoryIsBoundedHoweverManySourcesGuess() throws Exception {
        for (int i = 0; i < PinAttempts.MAX_TRACKED * 2; i++) {
            attempts.wrong(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}),
                    "+15550100", "boardroom");
        }
        assertThat(attempts.tracked()).isLessThanOrEqualTo(PinAttempts.MAX_TRACKED);
        assertThat(attempts.locked(InetAddress.getByName("10.0.0.1"), "+15550100", "boardroom"))
                .as("the rule is locked, kept")
                .isPresent();
    }
}
