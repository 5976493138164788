package io.dialtone.gateway.sip;

import io.dialtone.gateway.call.CallScheduler;
import io.dialtone.gateway.media.Prompt;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Asks an answered caller for the PIN of a protected rule: speaks the prompt, collects digits (RFC 4733 or SIP INFO,
 * typed ahead during the prompt too) up to {@code #}, and routes the call again with them. A wrong PIN gets one
 * more try; a second wrong PIN, or silence for {@link #WAIT} after the prompt or the last digit, is told so and
 * refused. Each wrong PIN is reported the moment it is entered (so it counts even if the caller hangs up during the
 * prompt that follows); a refusal for another reason (a lockout) ends the entry at once. Digits beyond 16 and any
 * key other than 0-9 and # are ignored. It lives on its call's loop: digits, timers and the end of each prompt all
 * arrive there, so it keeps no lock.
 */
final class PinCollector {
    /** How long the caller may stay silent after a prompt or a digit. */
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int ATTEMPTS = 2;
    private static final int MAX_DIGITS = 16;

    /** What became of the caller. */
    interface Outcome {
        void admitted(Decision.Accept accept);

        /** A wrong PIN was entered, the call not over yet. */
        void wrong(String rule);

        void refused(Reason reason, String rule, String detail);
    }

    /** Plays a prompt to the caller; {@code done} runs on the call's loop after its last frame. */
    @FunctionalInterface
    interface Prompts {
        void play(Prompt prompt, Runnable done);
    }

    private final Duration wait;
    private final Prompts prompts;
    private final BiFunction<Duration, Runnable, CallScheduler.Timer> timers;
    private final Function<PinEntry, Decision> route;
    private final Outcome outcome;
    private final String ruleName;
    private final StringBuilder digits = new StringBuilder();
    private int attempts;
    private boolean finished;
    private CallScheduler.Timer silence;

    /**
     * @param timers runs a task on the call's loop after a delay
     * @param route  routes the call again with what the caller entered
     */
    PinCollector(Duration wait, Prompts prompts, BiFunction<Duration, Runnable, CallScheduler.Timer> timers,
                 String ruleName, Function<PinEntry, Decision> route, Outcome outcome) {
        this.wait = wait;
        this.prompts = prompts;
        this.timers = timers;
        this.ruleName = ruleName;
        this.route = route;
        this.outcome = outcome;
    }

    void start() {
        prompts.play(Prompt.ENTER_PIN, this::awaitDigits);
    }

    void digit(char pressed) {
        if (finished) {
            return;
        }
        if (pressed == '#') {
            submit();
        } else if (pressed >= '0' && pressed <= '9' && digits.length() < MAX_DIGITS) {
            digits.append(pressed);
            awaitDigits();
        }
    }

    private void awaitDigits() {
        if (finished) {
            return;
        }
        stopWaiting();
        silence = timers.apply(wait, this::timedOut);
    }

    private void submit() {
        String entered = digits.toString();
        digits.setLength(0);
        stopWaiting();
        attempts++;
        Decision decision = route.apply(entered.isEmpty() ? PinEntry.NONE : PinEntry.entered(entered));
        if (decision instanceof Decision.Accept accept) {
            finished = true;
            outcome.admitted(accept);
            return;
        }
        String detail = decision instanceof Decision.Reject reject ? reject.detail()
                : "the PIN entered does not open DispatchRule " + ruleName;
        Reason reason = decision instanceof Decision.Reject reject ? reject.reason() : Reason.PIN_INCORRECT;
        boolean wrongPin = reason == Reason.PIN_INCORRECT;
        if (wrongPin) {
            outcome.wrong(ruleName);
        }
        if (wrongPin && attempts < ATTEMPTS) {
            prompts.play(Prompt.PIN_RETRY, this::awaitDigits);
            return;
        }
        finished = true;
        prompts.play(Prompt.PIN_REJECTED, () -> outcome.refused(reason, ruleName,
                detail + " (" + attempts + " attempts)"));
    }

    private void timedOut() {
        if (finished) {
            return;
        }
        finished = true;
        prompts.play(Prompt.PIN_TIMEOUT, () -> outcome.refused(Reason.PIN_INCORRECT, ruleName,
                "no PIN ended with # within " + (wait.toMillis() % 1000 == 0 ? wait.toSeconds() + " s"
                        : wait.toMillis() + " ms") + " of the prompt or the last digit"));
    }

    private void stopWaiting() {
        if (silence != null) {
            silence.cancel();
            silence = null;
        }
    }
}
