package io.dialtone.gateway.sip;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.SipProvider;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The calls this gateway holds, by Call-ID, and the one place that ends them and gives back what they hold. */
public final class CallRegistry {
    private static final Logger LOG = LoggerFactory.getLogger("dialtone.calls");

    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final AtomicLong bridgedEnded = new AtomicLong();
    private volatile long recycleAfter;
    private volatile Runnable recycle;
    private volatile SipProvider provider;
    private volatile SipMessages messages;

    void attach(SipProvider sipProvider, SipMessages sipMessages) {
        this.provider = sipProvider;
        this.messages = sipMessages;
    }

    /**
     * Runs {@code action} once, when the {@code calls}-th call whose audio was bridged has ended (0: never). Each
     * leaves native memory behind in libwebrtc (docs/media.md), so the gateway recycles itself after so many.
     */
    public void recycleAfter(long calls, Runnable action) {
        recycleAfter = calls;
        recycle = action;
    }

    void add(Call call) {
        calls.put(call.sipCallId(), call);
    }

    Call get(String sipCallId) {
        return calls.get(sipCallId);
    }

    public Collection<Call> all() {
        return List.copyOf(calls.values());
    }

    public int size() {
        return calls.size();
    }

    /** Ends a call from the gateway's side: BYE to the caller with a Reason header, then release. */
    public void hangUp(Call call, String why) {
        Dialog dialog = call.dialog();
        if (call.state() == Call.State.ANSWERED && dialog != null && dialog.getState() == DialogState.CONFIRMED) {
            try {
                Request bye = dialog.createRequest(Request.BYE);
                bye.setHeader(messages.headers().createReasonHeader("SIP", 200, why));
                ClientTransaction transaction = provider.getNewClientTransaction(bye);
                dialog.sendRequest(transaction);
            } catch (Exception e) {
                LOG.warn("event=bye_failed call={} error=\"{}\"", call.sipCallId(), e.getMessage());
            }
        }
        LOG.info("event=hangup call={} trunk={} room={} by=gateway why=\"{}\"", call.sipCallId(), call.trunkName(),
                call.room(), why);
        release(call);
    }

    /** Waits until no call is left or the timeout passes; true when none is left. */
    public boolean awaitEmpty(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (calls) {
            while (!calls.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                calls.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Gives back the RTP port, the timers and the active-call count; safe to call more than once. */
    void release(Call call) {
        if (!call.end()) {
            return;
        }
        synchronized (calls) {
            calls.remove(call.sipCallId(), call);
            calls.notifyAll();
        }
        if (call.maxDuration() != null) {
            call.maxDuration().cancel(false);
        }
        if (call.counted() != null) {
            call.counted().close();
        }
        boolean bridged = call.audio().readsRtp();
        call.audio().end(call.sipCallId());
        if (call.participant() != null) {
            call.participant().close();
        }
        try {
            call.ports().close();
        } catch (IOException e) {
            LOG.debug("closing the RTP ports of {}", call.sipCallId(), e);
        }
        if (bridged && recycleAfter > 0 && bridgedEnded.incrementAndGet() == recycleAfter && recycle != null) {
            LOG.info("event=recycling bridgedCalls={} why=\"each bridged call leaves native memory in libwebrtc; "
                    + "the gateway drains and exits to be restarted (media.recycleAfterCalls)\"", recycleAfter);
            recycle.run();
        }
    }

    static void logDigit(Call call, char digit, String via) {
        LOG.info("event=dtmf call={} via={} digit={}", call.sipCallId(), via, digit);
    }

    /** Reads whatever RTP arrived on each answered call; hangs up calls silent for longer than {@code timeoutMillis}. */
    void checkMedia(long timeoutMillis) {
        long now = System.currentTimeMillis();
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        for (Call call : calls.values()) {
            if (call.state() != Call.State.ANSWERED) {
                continue;
            }
            try {
                // RTCP counts as a sign of life: a caller on hold may send reports and no RTP.
                boolean received = false;
                buffer.clear();
                while (call.rtcp().receive(buffer) != null) {
                    received = true;
                    buffer.clear();
                }
                while (!call.audio().readsRtp() && call.rtp().receive(buffer) != null) {
                    received = true;
                    buffer.flip();
                    // Without the bridge only the caller's digits matter here: the log, and a PIN prompt.
                    call.callerRtp().read(buffer, call.media().payloadType(), call.media().telephoneEvent(),
                            digit -> call.digit(digit, "rfc4733"));
                    buffer.clear();
                }
                if (received) {
                    call.mediaSeen(now);
                } else if (now - call.lastMediaMillis() > timeoutMillis) {
                    hangUp(call, "no RTP for " + timeoutMillis / 1000 + " s");
                }
            } catch (IOException e) {
                hangUp(call, "RTP port failed: " + e.getMessage());
            }
        }
    }
}
