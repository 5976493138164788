package io.dialtone.gateway.call;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's event loop: runs the tasks posted to it one at a time, in the order they were posted, on a pool that
 * every call shares. Whatever a task reads or writes of its call needs no lock, because no two of the call's tasks
 * ever run at once; a task must not block, since the thread under it serves other calls next. A task that throws
 * (even an Error) is logged and the loop goes on with the next one.
 */
public final class CallLoop implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(CallLoop.class);

    private final String callId;
    private final Executor pool;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    /** @param pool runs the loop's turns; a direct executor ({@code Runnable::run}) makes it run on the poster */
    public CallLoop(String callId, Executor pool) {
        this.callId = callId;
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        pool.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (queue) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (Throwable e) {
                // Even an Error must not leave the loop marked as draining, or no later event would run.
                LOG.error("call={} event failed: {}", callId, e.toString(), e);
            }
        }
    }
}
