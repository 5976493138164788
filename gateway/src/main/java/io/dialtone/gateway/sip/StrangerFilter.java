package io.dialtone.gateway.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.SipStack;
import javax.sip.message.Response;

/**
 * The SIP stack's first look at a parsed request (stack property {@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}),
 * before any transaction or dialog: a request the gate refuses is dropped without a word. The stack itself answers
 * some requests on its own (a BYE or CANCEL for no dialog gets 481 before the application hears of it), so only
 * here can a source be kept from learning anything. The stack creates this class by reflection; each {@link SipServer}
 * registers its gate under its stack's name once it is ready, and until then (or after it closed) nothing passes.
 */
public final class StrangerFilter implements SIPMessageValve {
    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    /**
     * Decides, for a request from {@code source}, whether the gateway may answer it; then which gateway of the fleet
     * handles it and where a response goes ({@link DialogRouter}).
     */
    interface Gate {
        boolean admits(SIPRequest request, InetAddress source);

        DialogRouter router();
    }

    static void register(String stackName, Gate gate) {
        GATES.put(stackName, gate);
    }

    static void unregister(String stackName) {
        GATES.remove(stackName);
    }

    /** The gate and the router decide together ({@link DialogRouter#request}): who may be answered, and where. */
    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        Gate gate = GATES.get(((SipStackImpl) channel.getSIPStack()).getStackName());
        return gate != null && gate.router().request(request, channel, gate::admits) == DialogRouter.Verdict.HERE;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        Gate gate = GATES.get(((SipStackImpl) channel.getSIPStack()).getStackName());
        return gate != null && gate.router().response((gov.nist.javax.sip.message.SIPResponse) response, channel)
                == DialogRouter.Verdict.HERE;
    }

    @Override
    public void init(SipStack stack) {
        // The gate is looked up per request: the stack may call this before or after its server registers.
    }

    @Override
    public void destroy() {
        // Nothing held.
    }
}
