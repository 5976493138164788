package io.dialtone.gateway.sip;

import io.dialtone.routing.Reason;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link InviteDialog} on JAIN-SIP: the INVITE's server transaction and the dialog it creates. */
final class JainInviteDialog implements InviteDialog {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");

    private final SipProvider provider;
    private final SipMessages messages;
    private final Request invite;
    private final ServerTransaction transaction;
    private final String callId;
    private final String toTag;
    private final AtomicBoolean finalSent = new AtomicBoolean();
    private final Optional<SessionTimer> sessionTimer;
    private final Map<String, String> answerHeaders;

    JainInviteDialog(SipProvider provider, SipMessages messages, Request invite, ServerTransaction transaction,
                     String callId, Optional<SessionTimer> sessionTimer, Map<String, String> answerHeaders) {
        this.sessionTimer = sessionTimer;
        this.answerHeaders = Map.copyOf(answerHeaders);
        this.provider = provider;
        this.messages = messages;
        this.invite = invite;
        this.transaction = transaction;
        this.callId = callId;
        this.toTag = messages.newTag();
    }

    @Override
    public void ringing() {
        if (finalSent.get()) {
            return;
        }
        send("180", () -> {
            Response ringing = messages.response(Response.RINGING, invite, toTag);
            ringing.setHeader(messages.contact(InviteHandler.transport(invite)));
            return ringing;
        });
    }

    @Override
    public void answer(String sdp) {
        sendFinal("200", () -> {
            Response ok = messages.response(Response.OK, invite, toTag);
            ok.setHeader(messages.contact(InviteHandler.transport(invite)));
            messages.withSdp(ok, sdp);
            withHeaders(ok, answerHeaders);
            if (sessionTimer.isPresent()) {
                messages.withSessionTimer(ok, sessionTimer.get());
            }
            return ok;
        });
    }

    @Override
    public void reject(Reason reason) {
        sendFinal(String.valueOf(reason.sipStatus()), () -> messages.rejection(reason, invite, toTag, Map.of()));
    }

    @Override
    public void terminated() {
        sendFinal("487", () -> messages.response(Response.REQUEST_TERMINATED, invite, toTag));
    }

    @Override
    public void failed() {
        sendFinal("500", () -> messages.response(Response.SERVER_INTERNAL_ERROR, invite, toTag));
    }

    @Override
    public void bye(String why, Map<String, String> headers) {
        Dialog dialog = transaction.getDialog();
        if (dialog == null || dialog.getState() != DialogState.CONFIRMED) {
            LOG.info("event=bye_skipped call={} why=\"the dialog is {}\"", callId,
                    dialog == null ? "gone" : dialog.getState());
            return;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            bye.setHeader(messages.headers().createReasonHeader("SIP", 200, why));
            withHeaders(bye, headers);
            messages.ownBranch(bye);
            ClientTransaction client = provider.getNewClientTransaction(bye);
            dialog.sendRequest(client);
        } catch (Exception e) {
            LOG.warn("event=bye_failed call={} error=\"{}\"", callId, e.getMessage());
        }
    }

    @Override
    public void refresh() {
        Dialog dialog = transaction.getDialog();
        if (dialog == null || dialog.getState() != DialogState.CONFIRMED || sessionTimer.isEmpty()) {
            return;
        }
        try {
            // UPDATE without a body refreshes the session without touching the media (RFC 4028 section 7.4).
            Request update = dialog.createRequest(Request.UPDATE);
            update.setHeader(messages.headers().createHeader("Session-Expires", sessionTimer.get().header()));
            update.setHeader(messages.headers().createHeader("Supported", "timer"));
            messages.ownBranch(update);
            ClientTransaction client = provider.getNewClientTransaction(update);
            dialog.sendRequest(client);
            LOG.debug("event=session_refresh call={} interval={}s", callId, sessionTimer.get().interval().toSeconds());
        } catch (Exception e) {
            LOG.warn("event=session_refresh_failed call={} error=\"{}\"", callId, e.getMessage());
        }
    }

    @Override
    public Referral refer(String target, Map<String, String> headers) {
        Dialog dialog = transaction.getDialog();
        if (dialog == null || dialog.getState() != DialogState.CONFIRMED) {
            return new Referral.NotSent("the call's SIP dialog is not confirmed (" + (dialog == null ? "gone"
                    : dialog.getState()) + ")");
        }
        Request refer;
        try {
            refer = dialog.createRequest(Request.REFER);
            refer.setHeader(messages.referTo(target));
            messages.ownBranch(refer);
        } catch (java.text.ParseException e) {
            return new Referral.NotSent("transferTo " + target + " is not a URI the gateway can send: "
                    + e.getMessage());
        } catch (Exception e) {
            return new Referral.NotSent("the REFER could not be made: " + e.getMessage());
        }
        withHeaders(refer, headers);
        try {
            dialog.sendRequest(provider.getNewClientTransaction(refer));
            return new Referral.Sent(((javax.sip.header.CSeqHeader) refer.getHeader(javax.sip.header.CSeqHeader.NAME))
                    .getSeqNumber());
        } catch (Exception e) {
            LOG.warn("event=refer_failed call={} error=\"{}\"", callId, e.getMessage());
            return new Referral.NotSent("the REFER could not be sent: " + e.getMessage());
        }
    }

    @Override
    public boolean owns(Dialog dialog) {
        return dialog != null && dialog == transaction.getDialog();
    }

    @FunctionalInterface
    private interface Build {
        Response build() throws Exception;
    }

    private void sendFinal(String what, Build build) {
        if (!finalSent.compareAndSet(false, true)) {
            LOG.error("event=second_final_response call={} status={} why=\"the INVITE was already answered; not sent\"",
                    callId, what);
            return;
        }
        send(what, build);
    }

    private void send(String what, Build build) {
        try {
            transaction.sendResponse(build.build());
        } catch (Exception e) {
            LOG.warn("event=response_failed call={} status={} error=\"{}\"", callId, what, e.toString());
        }
    }

    /**
     * The trunk's X- headers (its {@code headers} on the 200, its {@code attributesToHeaders} on the BYE); their
     * names were checked when the routing was loaded, and a value that does not parse is left out, not sent broken.
     */
    private void withHeaders(javax.sip.message.Message message, Map<String, String> headers) {
        headers.forEach((name, value) -> {
            try {
                message.addHeader(messages.headers().createHeader(name, value));
            } catch (java.text.ParseException e) {
                LOG.warn("event=header_left_out call={} header={} error=\"{}\"", callId, name, e.getMessage());
            }
        });
    }
}
