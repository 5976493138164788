package io.dialtone.gateway.sip;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The calls this gateway holds, by Call-ID, so that every SIP request finds its call's loop; and how many of them
 * are active (past their INVITE), which admission and draining go by.
 */
public final class CallRegistry {

    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    /** Guards {@link #active} and {@link #teardowns}, and is what {@link #awaitEmpty} waits on. */
    private final Object counts = new Object();
    private int active;
    /** Room legs still closing after their calls ended. */
    private int teardowns;

    /** The call registered under {@code sipCallId}, made by {@code create} when there is none. */
    Call open(String sipCallId, Function<String, Call> create) {
        return calls.computeIfAbsent(sipCallId, create);
    }

    /** The call registered under {@code sipCallId}, or null. */
    Call get(String sipCallId) {
        return calls.get(sipCallId);
    }

    /** Every call held now. */
    public Collection<Call> all() {
        return List.copyOf(calls.values());
    }

    /** Calls past their INVITE and not yet ended. */
    public int size() {
        synchronized (counts) {
            return active;
        }
    }

    /** The call's INVITE became a call. */
    void started(Call call) {
        synchronized (counts) {
            active++;
        }
    }

    /**
     * The call is over: its Call-ID is free again.
     *
     * @param wasActive whether it had been {@link #started}
     * @param teardown  completes when its room leg is closed
     */
    void ended(Call call, boolean wasActive, CompletableFuture<Void> teardown) {
        calls.remove(call.sipCallId(), call);
        if (!teardown.isDone()) {
            synchronized (counts) {
                teardowns++;
            }
            teardown.whenComplete((done, error) -> {
                synchronized (counts) {
                    teardowns--;
                    counts.notifyAll();
                }
            });
        }
        if (wasActive) {
            synchronized (counts) {
                active--;
                counts.notifyAll();
            }
        }
    }

    /** Waits until no call is active or the timeout passes; true when none is left. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        return await(timeout, () -> active > 0);
    }

    /**
     * Waits until every ended call's room leg has closed (the participant left the room, its sockets closed), or the
     * timeout passes; true when all have. A gateway about to exit waits for this.
     */
    public boolean awaitTeardowns(Duration timeout) throws InterruptedException {
        return await(timeout, () -> teardowns > 0);
    }

    private boolean await(Duration timeout, java.util.function.BooleanSupplier busy) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (counts) {
            while (busy.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                counts.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }
}
