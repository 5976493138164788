package io.dialtone.operator.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on Dialtone resources, what `kubectl describe` shows: compiled, propagated, conflicts and
 * rejected calls. The same reason on the same resource is recorded at most once per interval, so a flood of
 * rejected calls is one event a minute, not one per call.
 */
public final class EventRecorder {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final Duration interval;
    private final Clock clock;
    private final Map<String, Instant> last = new ConcurrentHashMap<>();

    public EventRecorder(KubernetesClient client, Duration interval, Clock clock) {
        this.client = client;
        this.interval = interval;
        this.clock = clock;
    }

    /** @return whether the event was recorded, false when the same reason was recorded within the interval */
    public boolean record(HasMetadata about, String type, String reason, String message) {
        Instant now = clock.instant();
        String key = about.getMetadata().getUid() + "/" + reason;
        Instant previous = last.get(key);
        if (previous != null && previous.plus(interval).isAfter(now)) {
            return false;
        }
        last.put(key, now);
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        Event event = new EventBuilder()
                .withNewMetadata().withGenerateName(about.getMetadata().getName() + ".")
                .withNamespace(about.getMetadata().getNamespace()).endMetadata()
                .withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(about.getKind())
                .withName(about.getMetadata().getName()).withNamespace(about.getMetadata().getNamespace())
                .withUid(about.getMetadata().getUid()).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
                .withNewSource().withComponent("dialtone-operator").endSource()
                .withReportingComponent("dialtone-operator")
                .build();
        try {
            client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warn("cannot record event {} on {} {}: {}", reason, about.getKind(), about.getMetadata().getName(),
                    e.getMessage());
        }
        return true;
    }
}
