package io.dialtone.gateway.sip;

import io.dialtone.collections.BoundedMaps;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Wrong PINs across calls, so a PIN cannot be guessed by calling again and again: each caller (a source address and
 * the number it calls from: every call of a carrier comes from the carrier's few addresses, and one guesser there
 * must not lock out all of its callers) may enter {@link Limits#perSource()} wrong PINs and each rule take
 * {@link Limits#perRule()} (from all callers) within {@link Limits#window()}; one more locks that caller, or PIN
 * entry to that rule, for {@link Limits#lockout()}.
 * The per-rule limit stops a guesser spread over many addresses, at the price of locking the rule's honest callers
 * out too for a while: a PIN is the only secret between a stranger and the room, so Dialtone errs on that side.
 * Memory is bounded: at most {@link #MAX_TRACKED} sources and rules are remembered (the least recently seen give
 * way), and each is forgotten once its window and lockout have passed. Shared by every call's loop, so synchronized.
 */
final class PinAttempts {
    static final int MAX_TRACKED = 10_000;

    /** How many wrong PINs, within what time, lock out for how long. */
    record Limits(int perSource, int perRule, Duration window, Duration lockout) {
        static final Limits DEFAULT = new Limits(5, 50, Duration.ofMinutes(15), Duration.ofMinutes(15));
    }

    /** A lockout: whose, and for how long from now. */
    record Lockout(String scope, String who, Duration remaining) {
        String why() {
            return "too many wrong PINs from " + scope + " " + who + "; PIN entry refused for another "
                    + Math.max(1, remaining.toSeconds()) + " s";
        }
    }

    private final Limits limits;
    private final LongSupplier nanoTime;
    private final Map<String, Tally> tallies = BoundedMaps.leastRecentlyUsedFirst(MAX_TRACKED);

    /** Wrong PINs of one source or rule since {@code since}, and until when it is locked out, if it ever was. */
    private static final class Tally {
        long since;
        int wrong;
        boolean lockedOnce;
        long lockedUntil;

        boolean locked(long now) {
            return lockedOnce && lockedUntil - now > 0;
        }
    }

    PinAttempts(Limits limits, LongSupplier nanoTime) {
        this.limits = limits;
        this.nanoTime = nanoTime;
    }

    /** Whether the caller {@code number} at {@code source} may enter a PIN for {@code rule} now. */
    synchronized Optional<Lockout> locked(InetAddress source, String number, String rule) {
        long now = nanoTime.getAsLong();
        return locked("source", caller(source, number), now).or(() -> locked("rule", rule, now));
    }

    /**
     * Counts a wrong PIN from the caller {@code number} at {@code source} for {@code rule}.
     *
     * @return the lockout this attempt began, if it began one
     */
    synchronized Optional<Lockout> wrong(InetAddress source, String number, String rule) {
        long now = nanoTime.getAsLong();
        Optional<Lockout> bySource = count("source", caller(source, number), limits.perSource(), now);
        Optional<Lockout> byRule = count("rule", rule, limits.perRule(), now);
        return bySource.or(() -> byRule);
    }

    private static String caller(InetAddress source, String number) {
        return source.getHostAddress() + " calling as " + (number.isEmpty() ? "anonymous" : number);
    }

    private Optional<Lockout> locked(String scope, String who, long now) {
        Tally tally = tallies.get(scope + ":" + who);
        if (tally == null || !tally.locked(now)) {
            return Optional.empty();
        }
        return Optional.of(new Lockout(scope, who, Duration.ofNanos(tally.lockedUntil - now)));
    }

    private Optional<Lockout> count(String scope, String who, int limit, long now) {
        String key = scope + ":" + who;
        Tally tally = tallies.computeIfAbsent(key, k -> new Tally());
        if (tally.wrong == 0 || now - tally.since > limits.window().toNanos()) {
            tally.since = now;
            tally.wrong = 0;
        }
        tally.wrong++;
        forgetExpired(now);
        if (tally.wrong > limit && !tally.locked(now)) {
            tally.lockedOnce = true;
            tally.lockedUntil = now + limits.lockout().toNanos();
            tally.wrong = 0;
            return Optional.of(new Lockout(scope, who, limits.lockout()));
        }
        return Optional.empty();
    }

    /** Drops the least recently seen entries whose window and lockout are over (they are first in access order). */
    private void forgetExpired(long now) {
        var entries = tallies.values().iterator();
        while (entries.hasNext()) {
            Tally oldest = entries.next();
            boolean over = now - oldest.since > limits.window().toNanos() && !oldest.locked(now);
            if (!over) {
                return;
            }
            entries.remove();
        }
    }

    synchronized int tracked() {
        return tallies.size();
    }
}
