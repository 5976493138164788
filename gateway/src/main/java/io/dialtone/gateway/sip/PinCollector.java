package io.dialtone.gateway.sip;

import io.dialtone.gateway.media.Prompt;
import io.dialtone.gateway.media.PromptPlayer;
import io.dialtone.routing.Decision;
import io.dialtone.routing.PinEntry;
import io.dialtone.routing.Reason;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Asks an answered caller for the PIN of a protected rule: speaks the prompt, collects digits (RFC 4733 or SIP INFO,
 * typed ahead during the prompt too) up to {@code #}, and routes the call again with them. A wrong PIN gets one
 * more try; a second wrong PIN, or silence for {@link #WAIT} after the prompt or the last digit, is told so and
 * refused. Digits beyond 16 and any key other than 0-9 and # are ignored.
 */
final class PinCollector {
    /** How long the caller may stay silent after a prompt or a digit. */
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int ATTEMPTS = 2;
    private static final int MAX_DIGITS = 16;

    /** What became of the caller. */
    interface Outcome {
        void admitted(Decision.Accept accept);

        void refused(Reason reason, String rule, String detail);
    }

    private final Consumer<Consumer<Character>> digitSource;
    private final Duration wait;
    private final PromptPlayer player;
    private final ScheduledExecutorService timers;
    private final Function<PinEntry, Decision> route;
    private final Outcome outcome;
    private final String ruleName;
    private final StringBuilder digits = new StringBuilder();
    private int attempts;
    private boolean finished;
    private ScheduledFuture<?> silence;

    /**
     * @param digitSource takes the listener for the caller's digits (null to stop listening), e.g. the call's
     * @param route       routes the call again with what the caller entered
     */
    PinCollector(Consumer<Consumer<Character>> digitSource, Duration wait, PromptPlayer player,
                 ScheduledExecutorService timers, String ruleName, Function<PinEntry, Decision> route,
                 Outcome outcome) {
        this.digitSource = digitSource;
        this.wait = wait;
        this.player = player;
        this.timers = timers;
        this.ruleName = ruleName;
        this.route = route;
        this.outcome = outcome;
    }

    void start() {
        digitSource.accept(this::digit);
        player.play(Prompt.ENTER_PIN, this::awaitDigits);
    }

    synchronized void digit(char pressed) {
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

    private synchronized void awaitDigits() {
        if (finished) {
            return;
        }
        if (silence != null) {
            silence.cancel(false);
        }
        silence = timers.schedule(this::timedOut, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void submit() {
        String entered = digits.toString();
        digits.setLength(0);
        if (silence != null) {
            silence.cancel(false);
        }
        attempts++;
        Decision decision = route.apply(entered.isEmpty() ? PinEntry.NONE : PinEntry.entered(entered));
        if (decision instanceof Decision.Accept accept) {
            finish();
            outcome.admitted(accept);
            return;
        }
        String detail = decision instanceof Decision.Reject reject ? reject.detail()
                : "the PIN entered does not open DispatchRule " + ruleName;
        Reason reason = decision instanceof Decision.Reject reject ? reject.reason() : Reason.PIN_INCORRECT;
        if (attempts < ATTEMPTS) {
            player.play(Prompt.PIN_RETRY, this::awaitDigits);
            return;
        }
        finish();
        player.play(Prompt.PIN_REJECTED, () -> outcome.refused(reason, ruleName,
                detail + " (" + attempts + " attempts)"));
    }

    private synchronized void timedOut() {
        if (finished) {
            return;
        }
        finish();
        player.play(Prompt.PIN_TIMEOUT, () -> outcome.refused(Reason.PIN_INCORRECT, ruleName,
                "no PIN ended with # within " + (wait.toMillis() % 1000 == 0 ? wait.toSeconds() + " s"
                        : wait.toMillis() + " ms") + " of the prompt or the last digit"));
    }

    private void finish() {
        finished = true;
        digitSource.accept(null);
        if (silence != null) {
            silence.cancel(false);
        }
    }
}
