package io.dialtone.collections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedMapsTest {
    @Test
    void oldestFirstForgetsWhatWasPutInFirstEvenIfReadSince() {
        Map<String, Integer> map = BoundedMaps.oldestFirst(2);
        map.put("a", 1);
        map.put("b", 2);
        map.get("a");
        map.put("c", 3);
        assertThat(map).containsOnlyKeys("b", "c");
    }

    @Test
    void leastRecentlyUsedFirstKeepsWhatWasReadLately() {
        Map<String, Integer> map = BoundedMaps.leastRecentlyUsedFirst(2);
        map.put("a", 1);
        map.put("b", 2);
        map.get("a");
        map.put("c", 3);
        assertThat(map).containsOnlyKeys("a", "c");
    }
}
