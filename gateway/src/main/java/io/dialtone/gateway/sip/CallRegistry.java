package io.dialtone.gateway.sip;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls this gateway holds, by Call-ID, so that every SIP request finds its call's loop; and how many of them
 * are active (past their INVITE), which admission, draining and recycling go by.
 */
public final class CallRegistry {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");

    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    /** Guards {@link #active} and {@link #bridgedEnded}, and is what {@link #awaitEmpty} waits on. */
    private final Object counts = new Object();
    private int active;
    private long bridgedEnded;
    /** Room legs still closing after their calls ended. */
    private int teardowns;
    private volatile long recycleAfter;
    private volatile Runnable recycle = () -> { };

    /**
     * Runs {@code action} once, when the {@code calls}-th call whose audio was bridged has ended (0: never). Each
     * leaves native memory behind in libwebrtc (docs/media.md), so the gateway recycles itself after so many.
     */
    public void recycleAfter(long calls, Runnable action) {
        recycleAfter = calls;
        recycle = action;
    }

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
     * @param bridged   whether its audio was bridged
     * @param teardown  completes when its room leg is closed
     */
    void ended(Call call, boolean wasActive, boolean bridged, CompletableFuture<Void> teardown) {
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
        boolean recycleNow = false;
        synchronized (counts) {
            if (wasActive) {
                active--;
                counts.notifyAll();
            }
            if (bridged) {
                bridgedEnded++;
                recycleNow = recycleAfter > 0 && bridgedEnded == recycleAfter;
            }
        }
        if (recycleNow) {
            LOG.info("event=recycling bridgedCalls={} why=\"each bridged call leaves native memory in libwebrtc; "
                    + "the gateway drains and exits to be restarted (media.recycleAfterCalls)\"", recycleAfter);
            recycle.run();
        }
    }

    /** Waits until no call is active or the timeout passes; true when none is left. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        return await(timeout, () -> active > 0);
    }

    /**
     * Waits until every ended call's room leg has closed (the participant left the room, libwebrtc let go), or the
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
