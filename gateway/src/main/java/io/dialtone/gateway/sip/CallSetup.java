package io.dialtone.gateway.sip;

import io.dialtone.routing.CallRequest;
import io.dialtone.routing.CallTrunk;
import io.dialtone.routing.CompiledRule;
import io.dialtone.routing.Decision;
import java.util.Optional;

/**
 * An INVITE the gateway has taken: its trunk, where it goes, the negotiated media and the RTP ports bound for it,
 * and the SIP side to answer on.
 *
 * @param trunk   the trunk the call arrived on
 * @param request the call as routed, for routing again with the caller's PIN
 * @param arrived when the INVITE arrived, on the call scheduler's clock
 * @param sessionTimer the RFC 4028 session timer agreed in the answer, if the caller asked for one
 */
record CallSetup(CallTrunk trunk, Destination destination, SdpNegotiator.Negotiated media, RtpPorts.Pair ports,
                 InviteDialog dialog, CallRequest request, long arrived, Optional<SessionTimer> sessionTimer) {

    /** Where an admitted call goes. */
    sealed interface Destination {
        /** The DispatchRule that took the call. */
        CompiledRule rule();

        /** Straight to a room. */
        record Room(Decision.Accept accept) implements Destination {
            @Override
            public CompiledRule rule() {
                return accept.rule();
            }
        }

        /** To a PIN-protected rule: answered first, in a room only once the caller's PIN opens it. */
        record BehindPin(Decision.PinRequired pin) implements Destination {
            @Override
            public CompiledRule rule() {
                return pin.rule();
            }
        }
    }
}
