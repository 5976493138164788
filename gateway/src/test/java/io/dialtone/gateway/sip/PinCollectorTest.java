package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.gateway.call.ManualScheduler;
import io.dialtone.gateway.media.Prompt;
import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PIN entry on a manual clock: prompts "finish" when the test says so, silence is time the test moves. Routing
 * stands in as a function that knows PIN 4321.
 */
class PinCollectorTest {
    private static final Decision.Accept ADMITTED = new Decision.Accept(CallTrunk.NONE, null, "boardroom", null, null);

    private final ManualScheduler clock = new ManualScheduler();
    private final List<PinEntry> routed = new ArrayList<>();
    private final List<String> outcomes = new ArrayList<>();
    private final List<Prompt> played = new ArrayList<>();
    private final List<String> wrong = new ArrayList<>();
    private Runnable promptDone;

    private PinCollector collector(Duration wait) {
        return new PinCollector(wait, (prompt, done) -> {
            played.add(prompt);
            promptDone = done;
        }, clock::after, "boardroom", pin -> {
            routed.add(pin);
            return pin.equals(PinEntry.entered("4321")) ? ADMITTED
                    : new Decision.Reject(Reason.PIN_INCORRECT, CallTrunk.NONE, null, "wrong PIN");
        }, new PinCollector.Outcome() {
            @Override
            public void admitted(Decision.Accept accept) {
                outcomes.add("admitted to " + accept.roomName());
            }

            @Override
            public void wrong(String rule) {
                wrong.add(rule);
            }

            @Override
            public void refused(Reason reason, String rule, String detail) {
                outcomes.add(reason.metricLabel() + " on " + rule + ": " + detail);
            }
        });
    }

    private static void press(PinCollector collector, String keys) {
        for (char key : keys.toCharArray()) {
            collector.digit(key);
        }
    }

    /** The prompt playing now reaches its end. */
    private void finishPrompt() {
        Runnable done = promptDone;
        promptDone = null;
        done.run();
    }

    @Test
    void theRightPinTypedDuringThePromptAdmitsAtOnce() {
        PinCollector pin = collector(Duration.ofSeconds(10));
        pin.start();
        press(pin, "4321#");
        assertThat(outcomes).containsExactly("admitted to boardroom");
        assertThat(routed).containsExactly(PinEntry.entered("4321"));
        press(pin, "1#");
        assertThat(routed).as("no longer listening").hasSize(1);
    }

    @Test
    void aWrongPinGetsOneMoreTry() {
        PinCollector pin = collector(Duration.ofSeconds(10));
        pin.start();
        finishPrompt();
        press(pin, "12#");
        assertThat(outcomes).isEmpty();
        assertThat(played).containsExactly(Prompt.ENTER_PIN, Prompt.PIN_RETRY);
        press(pin, "4*3x21#");
        assertThat(outcomes).containsExactly("admitted to boardroom");
        assertThat(routed).containsExactly(PinEntry.entered("12"), PinEntry.entered("4321"));
    }

    @Test
    void twoWrongPinsAreRefusedAfterTheGoodbyePrompt() {
        PinCollector pin = collector(Duration.ofSeconds(10));
        pin.start();
        press(pin, "1#2#3#");
        assertThat(routed).as("the third entry came after the refusal").hasSize(2);
        assertThat(outcomes).as("the refusal waits for its prompt").isEmpty();
        assertThat(wrong).as("each wrong PIN reported when entered, before any prompt ends").hasSize(2);
        assertThat(played).containsExactly(Prompt.ENTER_PIN, Prompt.PIN_RETRY, Prompt.PIN_REJECTED);
        finishPrompt();
        assertThat(outcomes).containsExactly("pin_incorrect on boardroom: wrong PIN (2 attempts)");
    }

    @Test
    void aLockoutEndsTheEntryAtOnceAndIsNoWrongPin() {
        PinCollector pin = new PinCollector(Duration.ofSeconds(10), (prompt, done) -> {
            played.add(prompt);
            promptDone = done;
        }, clock::after, "boardroom", entry -> new Decision.Reject(Reason.PIN_LOCKED, CallTrunk.NONE, null,
                "too many wrong PINs"), new PinCollector.Outcome() {
                    @Override
                    public void admitted(Decision.Accept accept) {
                        outcomes.add("admitted");
                    }

                    @Override
                    public void wrong(String rule) {
                        wrong.add(rule);
                    }

                    @Override
                    public void refused(Reason reason, String rule, String detail) {
                        outcomes.add(reason.metricLabel());
                    }
                });
        pin.start();
        press(pin, "4321#");
        assertThat(played).containsExactly(Prompt.ENTER_PIN, Prompt.PIN_REJECTED);
        finishPrompt();
        assertThat(outcomes).containsExactly("pin_locked");
        assertThat(wrong).isEmpty();
    }

    @Test
    void hashAloneMeansNoPinAndExtraDigitsAreDropped() {
        PinCollector pin = collector(Duration.ofSeconds(10));
        pin.start();
        press(pin, "#");
        press(pin, "12345678901234567890#");
        assertThat(routed).containsExactly(PinEntry.NONE, PinEntry.entered("1234567890123456"));
    }

    @Test
    void silenceAfterThePromptIsRefused() {
        PinCollector pin = collector(Duration.ofMillis(300));
        pin.start();
        clock.advance(Duration.ofSeconds(5));
        assertThat(played).as("the wait starts when the prompt ends").containsExactly(Prompt.ENTER_PIN);
        finishPrompt();
        clock.advance(Duration.ofMillis(299));
        assertThat(played).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(played).containsExactly(Prompt.ENTER_PIN, Prompt.PIN_TIMEOUT);
        finishPrompt();
        assertThat(outcomes).containsExactly(
                "pin_incorrect on boardroom: no PIN ended with # within 300 ms of the prompt or the last digit");
        assertThat(routed).isEmpty();
    }

    @Test
    void eachDigitRestartsTheWait() {
        PinCollector pin = collector(Duration.ofSeconds(10));
        pin.start();
        finishPrompt();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(9));
            press(pin, "1");
        }
        assertThat(played).containsExactly(Prompt.ENTER_PIN);
        clock.advance(Duration.ofSeconds(10));
        assertThat(played).containsExactly(Prompt.ENTER_PIN, Prompt.PIN_TIMEOUT);
    }
}
