package io.dialtone.e2e.support;

/** Reads samples out of a /metrics page in Prometheus' text format. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The sum of the samples of {@code name}: unlabelled ones, and labelled ones whose labels contain {@code label}
     * (e.g. {@code why="full"}; empty for all).
     */
    public static double sum(String text, String name, String label) {
        return text.lines().filter(line -> line.startsWith(name + " ")
                        || line.startsWith(name + "{") && line.substring(0, line.indexOf('}') + 1).contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
