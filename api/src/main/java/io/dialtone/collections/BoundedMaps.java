package io.dialtone.collections;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps that keep at most a given number of entries, for what a gateway or the operator remembers about things that
 * keep coming (calls, sources, streams, revisions): memory stays bounded whatever a stranger sends. Not thread-safe;
 * each owner guards its own.
 */
public final class BoundedMaps {
    private BoundedMaps() {
    }

    /** Forgets the entry put in first once more than {@code max} are held. */
    public static <K, V> Map<K, V> oldestFirst(int max) {
        return bounded(max, false);
    }

    /** Forgets the entry least recently read or written once more than {@code max} are held. */
    public static <K, V> Map<K, V> leastRecentlyUsedFirst(int max) {
        return bounded(max, true);
    }

    private static <K, V> Map<K, V> bounded(int max, boolean accessOrder) {
        return new LinkedHashMap<>(Math.min(max, 64), 0.75f, accessOrder) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}
