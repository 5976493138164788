package io.dialtone.config;

import io.dialtone.api.v1alpha1.CalleeRule;
import io.dialtone.api.v1alpha1.DirectRule;
import io.dialtone.api.v1alpha1.DispatchRule;
import io.dialtone.api.v1alpha1.DispatchRuleSpec;
import io.dialtone.api.v1alpha1.IndividualRule;
import io.dialtone.api.v1alpha1.LiveKitConnection;
import io.dialtone.api.v1alpha1.RuleKind;
import io.dialtone.api.v1alpha1.SecretKeyRef;
import io.dialtone.api.v1alpha1.SipGateway;
import io.dialtone.api.v1alpha1.SipGatewaySpec;
import io.dialtone.api.v1alpha1.SipTrunk;
import io.dialtone.api.v1alpha1.SipTrunkSpec;
import io.dialtone.api.v1alpha1.SpecRules;
import io.dialtone.api.v1alpha1.TrunkAuth;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Replaces references to Secrets (LiveKit credentials, trunk digest credentials, PINs) with the values they hold,
 * so routing only ever sees inline values. Each reference that cannot be resolved is reported with its field path;
 * the resource keeps its reference and is then invalid.
 */
public final class SecretResolver {
    private final SecretLookup secrets;

    public SecretResolver(SecretLookup secrets) {
        this.secrets = secrets;
    }

    /** @param problems receives (field path, message) for each reference that cannot be resolved */
    public SipGateway resolve(SipGateway gateway, BiConsumer<String, String> problems) {
        SipGatewaySpec spec = gateway.getSpec();
        LiveKitConnection livekit = spec.livekit();
        if (livekit == null || livekit.credentialsSecret() == null) {
            return gateway;
        }
        String name = livekit.credentialsSecret().name();
        Map<String, String> data = secret(name, "spec.livekit.credentialsSecret", problems);
        String apiKey = key(data, name, "apiKey", "spec.livekit.credentialsSecret", problems);
        String apiSecret = key(data, name, "apiSecret", "spec.livekit.credentialsSecret", problems);
        if (apiKey == null || apiSecret == null) {
            return gateway;
        }
        SipGateway copy = new SipGateway();
        copy.setMetadata(gateway.getMetadata());
        copy.setSpec(new SipGatewaySpec(new LiveKitConnection(livekit.url(), null, apiKey, apiSecret), spec.sip(),
                spec.media(), spec.hostNetwork(), spec.replicas(), spec.autoscaling(), spec.drain(),
                spec.maxActiveCallsPerPod(), spec.acceptWithoutTrunk(), spec.image(), spec.resources(),
                spec.podTemplate(), spec.service()));
        return copy;
    }

    public SipTrunk resolve(SipTrunk trunk, BiConsumer<String, String> problems) {
        SipTrunkSpec spec = trunk.getSpec();
        TrunkAuth auth = spec.auth();
        if (auth == null || auth.secretRef() == null) {
            return trunk;
        }
        String name = auth.secretRef().name();
        Map<String, String> data = secret(name, "spec.auth.secretRef", problems);
        String username = key(data, name, "username", "spec.auth.secretRef", problems);
        String password = key(data, name, "password", "spec.auth.secretRef", problems);
        if (username == null || password == null) {
            return trunk;
        }
        String realm = auth.realm() != null ? auth.realm() : data.get("realm");
        SipTrunk copy = new SipTrunk();
        copy.setMetadata(trunk.getMetadata());
        copy.setSpec(new SipTrunkSpec(spec.gatewayRef(), spec.numbers(), spec.allowedAddresses(),
                spec.allowedNumbers(), new TrunkAuth(null, username, password, realm), spec.headers(),
                spec.headersToAttributes(), spec.attributesToHeaders(), spec.includeHeaders(), spec.ringingTimeout(),
                spec.answerWhen(), spec.maxCallDuration(), spec.media()));
        return copy;
    }

    public DispatchRule resolve(DispatchRule rule, BiConsumer<String, String> problems) {
        DispatchRuleSpec spec = rule.getSpec();
        RuleKind kind = spec.kind();
        if (kind == null || kind.pinSecretRef() == null) {
            return rule;
        }
        SecretKeyRef ref = kind.pinSecretRef();
        String field = "spec." + (spec.individual() != null ? "individual" : spec.direct() != null ? "direct" : "callee")
                + ".pinSecretRef";
        String pin = key(secret(ref.name(), field, problems), ref.name(), ref.key(), field, problems);
        if (pin == null) {
            return rule;
        }
        if (!pin.matches(SpecRules.PIN)) {
            problems.accept(field, "the PIN in Secret " + ref.name() + " key " + ref.key() + ": "
                    + SpecRules.PIN_MESSAGE);
            return rule;
        }
        IndividualRule individual = spec.individual() == null ? null
                : new IndividualRule(spec.individual().roomPrefix(), pin, null, spec.individual().noRandomness());
        DirectRule direct = spec.direct() == null ? null : new DirectRule(spec.direct().roomName(), pin, null);
        CalleeRule callee = spec.callee() == null ? null
                : new CalleeRule(spec.callee().roomPrefix(), pin, null, spec.callee().randomize());
        DispatchRule copy = new DispatchRule();
        copy.setMetadata(rule.getMetadata());
        copy.setSpec(new DispatchRuleSpec(spec.gatewayRef(), individual, direct, callee, spec.trunkRefs(),
                spec.inboundNumbers(), spec.numbers(), spec.hidePhoneNumber(), spec.participant(), spec.room()));
        return copy;
    }

    private Map<String, String> secret(String name, String path, BiConsumer<String, String> problems) {
        Map<String, String> data = secrets.find(name);
        if (data == null) {
            problems.accept(path, secrets.whyMissing(name));
        }
        return data;
    }

    private static String key(Map<String, String> data, String secret, String key, String path,
                              BiConsumer<String, String> problems) {
        if (data == null) {
            return null;
        }
        String value = data.get(key);
        if (value == null || value.isEmpty()) {
            problems.accept(path, "Secret " + secret + " has no key " + key);
            return null;
        }
        return value;
    }
}
