package io.dialtone.gateway.sip;

import io.dialtone.collections.BoundedMaps;
import java.util.Collections;
import java.util.Set;

/**
 * Keeps the owner's answers to one relayed INVITE in the order the owner sent them. The stack hands incoming packets
 * to a pool of threads, so a 180 and the 200 right behind it can reach the relay out of order; a caller that
 * receives a 180 after the 200 may take the call for broken. As a stateful proxy does (RFC 3261 16.7, step 5), a
 * provisional answer is passed on only while no final answer for its branch has been: the decision and the send
 * happen under one lock. The branches remembered are bounded: the oldest is forgotten first, long after its INVITE
 * transaction ended.
 */
final class RelayedAnswers {
    static final int REMEMBERED = 4096;

    /** What to do with an answer. */
    enum Order {
        /** Send it on. */
        SEND,
        /** A provisional answer that came after its final one: drop it. */
        LATE
    }

    /** Relay branches whose final answer has gone on. */
    private final Set<String> finalSent = Collections.newSetFromMap(BoundedMaps.oldestFirst(REMEMBERED));

    /**
     * Decides on an answer to a relayed INVITE and, if it goes on, sends it while no other answer to the same
     * INVITE can overtake it.
     */
    synchronized Order pass(String relayBranch, int status, Runnable send) {
        if (status < 200) {
            if (finalSent.contains(relayBranch)) {
                return Order.LATE;
            }
        } else {
            finalSent.add(relayBranch);
        }
        send.run();
        return Order.SEND;
    }
}
