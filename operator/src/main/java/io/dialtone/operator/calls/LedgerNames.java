package io.dialtone.operator.calls;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;

/**
 * Where a SipGateway's {@link CallLedger} is kept: the ConfigMap {@code <gateway>-calls}, labelled with the gateway's
 * name, its ledger as JSON under {@link #DATA_KEY}.
 */
public final class LedgerNames {
    /** Label on ledger ConfigMaps; its value is the SipGateway's name. */
    public static final String LABEL = "dialtone.io/call-ledger";
    public static final String DATA_KEY = "ledger.json";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private LedgerNames() {
    }

    public static String configMap(String gateway) {
        return gateway + "-calls";
    }

    /** The gateway a ledger ConfigMap belongs to, if it is one. */
    public static java.util.Optional<String> gatewayOf(ConfigMap configMap) {
        Map<String, String> labels = configMap.getMetadata().getLabels();
        return java.util.Optional.ofNullable(labels == null ? null : labels.get(LABEL));
    }

    /** The ledger a ConfigMap holds. */
    public static CallLedger read(ConfigMap configMap) throws JsonProcessingException {
        String json = configMap.getData() == null ? null : configMap.getData().get(DATA_KEY);
        return json == null ? CallLedger.EMPTY : JSON.readValue(json, CallLedger.class);
    }

    public static String json(CallLedger ledger) {
        try {
            return JSON.writeValueAsString(ledger);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a call ledger did not serialize", e);
        }
    }
}
