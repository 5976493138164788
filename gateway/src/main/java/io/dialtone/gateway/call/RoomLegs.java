package io.dialtone.gateway.call;

import io.dialtone.routing.Decision;
import java.time.Duration;
import java.util.function.Consumer;

/** Opens a call's {@link RoomLeg}. */
@FunctionalInterface
public interface RoomLegs {
    /**
     * @param tokenLifetime how long the caller's participant token stays valid
     * @param endedByRoom   hears, once, why the room ended the participant (removed, room deleted, connection lost);
     *                      never after {@link RoomLeg#leave()}
     */
    RoomLeg open(String callId, Decision.Accept accept, Duration tokenLifetime, Consumer<String> endedByRoom);
}
