package io.dialtone.gateway.sip;

import io.dialtone.collections.BoundedMaps;
import java.util.Map;
import java.util.Optional;

/**
 * The peer this gateway relayed each recent new call to. An INVITE's retransmissions and its CANCEL follow the first
 * transmission there even if the fleet changed in between (a pod turned ready or unready): computed again, the owner
 * could differ, and a second gateway would answer the same call. The calls remembered are bounded, oldest forgotten
 * first, long after their INVITE transactions ended (at 100 new calls a second, 40 s).
 */
final class NewCallOwners {
    static final int REMEMBERED = 4096;

    private final Map<String, String> ownerByCallId = BoundedMaps.oldestFirst(REMEMBERED);

    synchronized void relayed(String callId, String peerId) {
        ownerByCallId.putIfAbsent(callId, peerId);
    }

    synchronized Optional<String> ownerOf(String callId) {
        return Optional.ofNullable(ownerByCallId.get(callId));
    }
}
