package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RejectionCacheTest {
    @Test
    void aRetransmissionGetsTheSameOutcomeUntilItExpires() {
        RejectionCache<String> cache = new RejectionCache<>(new ManualClock(), Duration.ofSeconds(32), 10);
        cache.put("call-1", "tag-1", "404 No dispatch rule");
        assertThat(cache.get("call-1", "tag-1")).isEqualTo("404 No dispatch rule");
        assertThat(cache.get("call-1", "other-tag")).isNull();
        assertThat(cache.get("call-2", "tag-1")).isNull();
    }

    @Test
    void expiredEntriesAreForgotten() {
        ManualClock clock = new ManualClock();
        RejectionCache<String> cache = new RejectionCache<>(clock, Duration.ofSeconds(32), 10);
        cache.put("call-1", "tag-1", "404");
        clock.advance(Duration.ofSeconds(31));
        assertThat(cache.get("call-1", "tag-1")).isEqualTo("404");
        clock.advance(Duration.ofSeconds(2));
        assertThat(cache.get("call-1", "tag-1")).isNull();
    }

    @Test
    void theCacheNeverGrowsBeyondItsBound() {
        RejectionCache<Integer> cache = new RejectionCache<>(Clock.systemUTC(), Duration.ofMinutes(1), 100);
        for (int i = 0; i < 1000; i++) {
            cache.put("call-" + i, "tag", i);
        }
        assertThat(cache.get("call-999", "tag")).isEqualTo(999);
        int kept = 0;
        for (int i = 0; i < 1000; i++) {
            kept += cache.get("call-" + i, "tag") == null ? 0 : 1;
        }
        assertThat(kept).isLessThanOrEqualTo(100);
    }
}
