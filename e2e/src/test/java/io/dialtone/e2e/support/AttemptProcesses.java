package io.dialtone.e2e.support;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stops, after each test attempt, what it started in the class's network namespace and left running. A retried
 * attempt starts its sipp and listeners on the same fixed ports: nothing of the last may be left to hold them.
 */
public final class AttemptProcesses implements BeforeEachCallback, AfterEachCallback {
    private final Supplier<NetworkNamespace> namespace;
    private int mark;

    /** @param namespace the class's namespace, made in its {@code @BeforeAll} */
    public AttemptProcesses(Supplier<NetworkNamespace> namespace) {
        this.namespace = namespace;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        mark = namespace.get().started();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        namespace.get().stopStartedSince(mark);
    }
}
