package io.dialtone.gateway.livekit;

import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker in front of LiveKit's APIs. While LiveKit answers, every call goes through. After
 * {@code failuresToOpen} calls in a row have failed (an error or a timeout), it opens: calls fail at once for
 * {@code openFor}, so callers hear 503 straight away instead of each one waiting out a timeout while more pile up
 * behind it. Then one call is let through as a trial: its success closes the breaker, its failure opens it again.
 */
public final class LiveKitBreaker {
    private static final Logger LOG = LoggerFactory.getLogger(LiveKitBreaker.class);

    /** Thrown instead of calling LiveKit while the breaker is open. */
    public static final class OpenException extends IOException {
        OpenException(String message) {
            super(message);
        }
    }

    /** LiveKit answered a request with an HTTP error status. */
    public static final class RefusedException extends IOException {
        private final int status;

        public RefusedException(String message, int status) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }

        /**
         * Whether this says LiveKit works and only this request was wrong (a 4xx about the room or agent): such
         * refusals must not open the breaker for every caller. Refused credentials (401, 403) and throttling (429)
         * fail every call alike, and count.
         */
        boolean answersForItself() {
            return status >= 400 && status < 500 && status != 401 && status != 403 && status != 429;
        }
    }

    private sealed interface State {
        /** Calls go through; {@code failures} in a row so far. */
        record Closed(int failures) implements State { }

        /** Calls fail at once until {@code untilNanos}. */
        record Open(long untilNanos) implements State { }

        /** One trial call is on its way; the others fail at once. */
        record Trial() implements State { }
    }

    private final int failuresToOpen;
    private final Duration openFor;
    private final LongSupplier nanoClock;
    private State state = CLOSED;

    public LiveKitBreaker(int failuresToOpen, Duration openFor, LongSupplier nanoClock) {
        if (failuresToOpen < 1 || openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("a breaker opens after at least one failure, for a positive time");
        }
        this.failuresToOpen = failuresToOpen;
        this.openFor = openFor;
        this.nanoClock = nanoClock;
    }

    /** A call to LiveKit that may fail. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws Exception;
    }

    /** Runs {@code call} unless the breaker is open, and records how it went. */
    public <T> T call(String what, Call<T> call) throws Exception {
        admit(what);
        Throwable failure = null;
        try {
            return call.run();
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            // In a finally, so that whatever ends the call (an Error too) ends a trial: none may stay open forever.
            if (failure == null || failure instanceof RefusedException refused && refused.answersForItself()) {
                succeeded();
            } else {
                failed(what, failure);
            }
        }
    }

    public synchronized boolean isOpen() {
        return !(state instanceof State.Closed);
    }

    private synchronized void admit(String what) throws OpenException {
        if (state instanceof State.Open open) {
            if (nanoClock.getAsLong() - open.untilNanos() < 0) {
                throw new OpenException("LiveKit is failing (" + failuresToOpen + " calls in a row failed); "
                        + what + " not tried, next try within " + openFor.toSeconds() + " s");
            }
            state = new State.Trial();
            LOG.info("event=livekit_breaker_trial what=\"{}\" why=\"{} s since it opened\"", what,
                    openFor.toSeconds());
            return;
        }
        if (state instanceof State.Trial) {
            throw new OpenException("LiveKit is failing; a trial call is on its way, " + what + " not tried");
        }
    }

    private synchronized void succeeded() {
        if (!(state instanceof State.Closed)) {
            LOG.info("event=livekit_breaker_closed why=\"a call to LiveKit succeeded\"");
        }
        state = CLOSED;
    }

    private static final State CLOSED = new State.Closed(0);

    private synchronized void failed(String what, Throwable cause) {
        if (cause instanceof OpenException) {
            return;
        }
        int failures = state instanceof State.Closed closed ? closed.failures() + 1 : failuresToOpen;
        if (failures < failuresToOpen) {
            state = new State.Closed(failures);
            return;
        }
        state = new State.Open(nanoClock.getAsLong() + openFor.toNanos());
        LOG.warn("event=livekit_breaker_open failures={} open_for={}s last=\"{}: {}\" why=\"new calls get 503 at "
                + "once instead of waiting on LiveKit\"", failures, openFor.toSeconds(), what, cause.toString());
    }
}
