package io.dialtone.e2e.support;

/** Closes what a test class started, in order, skipping what never started. */
public final class Closer {
    private Closer() {
    }

    public static void close(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
