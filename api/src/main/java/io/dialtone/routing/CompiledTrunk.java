package io.dialtone.routing;

import io.dialtone.api.v1alpha1.SipTrunkSpec;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A SipTrunk with its numbers normalised and its addresses parsed, ready to match calls.
 *
 * @param uid         the SipTrunk's UID, by which the operator counts its calls; "" outside a cluster
 * @param mapsHeaders whether calls on this trunk copy any request header into attributes; kept here so routing
 *                    does not read the spec for the common trunk that maps none
 */
public record CompiledTrunk(
        String name,
        String uid,
        SipTrunkSpec spec,
        Set<String> numbers,
        Set<String> allowedNumbers,
        List<AddressPattern> allowedAddresses,
        boolean mapsHeaders) implements CallTrunk {

    static CompiledTrunk compile(String name, String uid, SipTrunkSpec spec) {
        return new CompiledTrunk(name, uid, spec,
                normalizedSet(spec.numbers()),
                normalizedSet(spec.allowedNumbers()),
                spec.allowedAddresses().stream().map(AddressPattern::parse).toList(),
                spec.includeHeaders() != io.dialtone.api.v1alpha1.HeaderInclusion.none
                        || !spec.headersToAttributes().isEmpty());
    }

    static Set<String> normalizedSet(List<String> numbers) {
        return numbers.stream().map(PhoneNumbers::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public boolean isDefault() {
        return numbers.isEmpty();
    }

    @Override
    public boolean requiresAuth() {
        return spec.auth() != null;
    }

    @Override
    public String describe() {
        return "SipTrunk " + name;
    }

    boolean admitsSource(InetAddress source, String fromHost) {
        if (allowedAddresses.isEmpty()) {
            return true;
        }
        for (AddressPattern pattern : allowedAddresses) {
            if (pattern.matches(source, fromHost)) {
                return true;
            }
        }
        return false;
    }

    boolean admitsCaller(String normalizedCaller) {
        return allowedNumbers.isEmpty() || allowedNumbers.contains(normalizedCaller);
    }
}
