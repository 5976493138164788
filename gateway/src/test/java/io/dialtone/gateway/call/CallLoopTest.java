package io.dialtone.gateway.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallLoopTest {
    @Test
    void aTaskPostedFromATaskRunsAfterIt() {
        List<String> ran = new ArrayList<>();
        CallLoop loop = new CallLoop("c", Runnable::run);
        loop.execute(() -> {
            loop.execute(() -> ran.add("second"));
            ran.add("first");
        });
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheLoop() {
        List<String> ran = new ArrayList<>();
        CallLoop loop = new CallLoop("c", Runnable::run);
        loop.execute(() -> {
            throw new IllegalStateException("boom");
        });
        loop.execute(() -> ran.add("after"));
        assertThat(ran).containsExactly("after");
    }

    @Test
    void tasksPostedFromManyThreadsNeverOverlapAndKeepEachPostersOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService posters = Executors.newFixedThreadPool(4);
        try {
            CallLoop loop = new CallLoop("c", pool);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            int[] lastSeen = new int[4];
            AtomicInteger outOfOrder = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(4 * 2000);
            for (int poster = 0; poster < 4; poster++) {
                int id = poster;
                posters.execute(() -> {
                    for (int i = 1; i <= 2000; i++) {
                        int sequence = i;
                        loop.execute(() -> {
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            if (lastSeen[id] != sequence - 1) {
                                outOfOrder.incrementAndGet();
                            }
                            lastSeen[id] = sequence;
                            inside.decrementAndGet();
                            done.countDown();
                        });
                    }
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(overlaps).hasValue(0);
            assertThat(outOfOrder).hasValue(0);
        } finally {
            pool.shutdownNow();
            posters.shutdownNow();
        }
    }
}
