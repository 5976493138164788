package io.dialtone.gateway.sip;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers how a rejected INVITE was answered, keyed by Call-ID and From tag (plus CSeq, which the caller folds
 * into the tag key), so a retransmission that outlives its transaction (or one that was dropped without an answer)
 * gets the same outcome without being routed again.
 */
public final class RejectionCache<T> {
    private record Entry<T>(T outcome, long expires) {
    }

    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final long ttlMillis;
    private final int maxEntries;

    public RejectionCache(Clock clock, Duration ttl, int maxEntries) {
        this.clock = clock;
        this.ttlMillis = ttl.toMillis();
        this.maxEntries = maxEntries;
    }

    public void put(String callId, String fromTag, T outcome) {
        long now = clock.millis();
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> e.expires() < now);
            // A sweep that frees little would run again a few puts later, each one a scan of every entry (a flood
            // keeps the cache full of live entries): past 90 %, start over instead.
            if (entries.size() >= maxEntries * 9 / 10) {
                entries.clear();
            }
        }
        entries.put(key(callId, fromTag), new Entry<>(outcome, now + ttlMillis));
    }

    public T get(String callId, String fromTag) {
        Entry<T> entry = entries.get(key(callId, fromTag));
        if (entry == null) {
            return null;
        }
        if (entry.expires() < clock.millis()) {
            entries.remove(key(callId, fromTag));
            return null;
        }
        return entry.outcome();
    }

    private static String key(String callId, String fromTag) {
        return callId + "\n" + fromTag;
    }
}
