package io.dialtone.operator.metrics;

import java.util.List;
import java.util.Map;

/** The answer of the custom metrics API, {@code custom.metrics.k8s.io/v1beta2}, as the autoscaler decodes it. */
record MetricValueList(String kind, String apiVersion, Map<String, String> metadata, List<MetricValue> items) {
    static final String GROUP_VERSION = "custom.metrics.k8s.io/v1beta2";

    MetricValueList(List<MetricValue> items) {
        this("MetricValueList", GROUP_VERSION, Map.of(), items);
    }

    record MetricValue(DescribedObject describedObject, Metric metric, String timestamp, String value) {
    }

    record DescribedObject(String kind, String namespace, String name, String apiVersion) {
    }

    record Metric(String name) {
    }
}
