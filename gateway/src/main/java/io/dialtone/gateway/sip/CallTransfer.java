package io.dialtone.gateway.sip;

import io.dialtone.gateway.call.CallControl;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transfer of a call (RFC 3515): the REFER's response, then the NOTIFYs whose message/sipfrag bodies tell how
 * the caller's call to the target goes, turned into the one answer the agent that asked for it gets. Lives on the
 * call's loop. A final 2xx NOTIFY means the caller now talks to the target, so the call is to end, even when it
 * comes after the agent stopped waiting.
 */
final class CallTransfer {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Pattern SIPFRAG = Pattern.compile("SIP/2\\.0 ([1-6][0-9][0-9])(?: ([^\r\n]*))?(?:\r?\n.*)?",
            Pattern.DOTALL);

    /** What the call does next. */
    enum Next {
        WAIT,
        /** The caller is on the target: end the call. */
        END_CALL,
        /** The transfer failed; the call goes on. */
        CARRY_ON
    }

    /** The status line of a NOTIFY's message/sipfrag body. */
    record Progress(int status, String phrase) {
        /** The first line of a message/sipfrag body, {@code SIP/2.0 200 OK}; empty if it is not one. */
        static Optional<Progress> of(String sipfrag) {
            Matcher line = SIPFRAG.matcher(sipfrag.stripLeading());
            return line.matches() ? Optional.of(new Progress(Integer.parseInt(line.group(1)),
                    line.group(2) == null ? "" : line.group(2).strip())) : Optional.empty();
        }

        @Override
        public String toString() {
            return phrase.isEmpty() ? String.valueOf(status) : status + " " + phrase;
        }
    }

    private final String callId;
    private final String target;
    private final long cseq;
    private final CallControl.Answer answer;
    private final io.dialtone.gateway.call.CallScheduler.Timer expiry;
    private boolean answered;

    /**
     * @param cseq   the REFER's CSeq number, by which its response and NOTIFYs are known
     * @param expiry the timer that ends the wait, cancelled once the agent has its answer
     */
    CallTransfer(String callId, String target, long cseq, CallControl.Answer answer,
                 io.dialtone.gateway.call.CallScheduler.Timer expiry) {
        this.callId = callId;
        this.target = target;
        this.cseq = cseq;
        this.answer = answer;
        this.expiry = expiry;
    }

    String target() {
        return target;
    }

    long cseq() {
        return cseq;
    }

    /** Whether the agent still waits for this transfer's outcome: another transfer must wait for it. */
    boolean inProgress() {
        return !answered;
    }

    Next referAnswered(Progress response) {
        if (response.status() < 300) {
            LOG.info("event=transfer_accepted call={} to={} status={}", callId, target, response);
            return Next.WAIT;
        }
        return failed("the caller's side refused the transfer: " + response);
    }

    Next notified(Progress progress) {
        LOG.info("event=transfer_progress call={} to={} status={}", callId, target, progress);
        if (progress.status() < 200) {
            return Next.WAIT;
        }
        if (progress.status() < 300) {
            if (!answered) {
                answered = true;
                expiry.cancel();
                answer.done(JSON.createObjectNode().put("transferredTo", target).toString());
            }
            return Next.END_CALL;
        }
        return failed("the call to " + target + " failed: " + progress);
    }

    void expired(Duration waited) {
        failed("no outcome within " + waited.toSeconds() + " s (the RPC's response timeout); if the caller's side "
                + "completes the transfer later, the call ends then");
    }

    void callEnded() {
        failed("the call ended before the transfer reported its outcome");
    }

    private Next failed(String why) {
        if (!answered) {
            answered = true;
            expiry.cancel();
            LOG.info("event=transfer_failed call={} to={} why=\"{}\"", callId, target, why);
            answer.failed(why);
        }
        return Next.CARRY_ON;
    }
}
