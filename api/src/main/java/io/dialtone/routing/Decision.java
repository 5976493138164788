package io.dialtone.routing;

import io.dialtone.api.v1alpha1.RoomTemplate;
import java.util.Map;

/** The outcome of routing one call. */
public sealed interface Decision {

    /** The call goes to a room. */
    record Accept(CallTrunk trunk, CompiledRule rule, String roomName, Participant participant, RoomTemplate room)
            implements Decision {
    }

    /** The best rule is PIN-protected: answer, collect digits, and route again with {@link PinEntry}. */
    record PinRequired(CallTrunk trunk, CompiledRule rule) implements Decision {
    }

    /**
     * The call is refused. {@code trunk} and {@code rule} name what was matched before it failed, when anything was
     * ({@link CallTrunk#NONE} and null when not).
     *
     * @param detail one line that names the numbers and what configuration would have accepted the call
     */
    record Reject(Reason reason, CallTrunk trunk, CompiledRule rule, String detail) implements Decision {
    }

    record Participant(String identity, String name, String metadata, Map<String, String> attributes) {
    }
}
