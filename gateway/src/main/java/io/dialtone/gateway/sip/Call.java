package io.dialtone.gateway.sip;

import io.dialtone.gateway.livekit.ParticipantSession;
import io.dialtone.gateway.media.CallerRtp;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.routing.Decision;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;

/** One call the gateway accepted: its SIP dialog, its RTP port, its room, and how it is counted. */
public final class Call {
    public enum State { SETTING_UP, ANSWERED, ENDED }

    private final String sipCallId;
    private final Decision.Accept decision;
    private final ServerTransaction invite;
    private final RtpPorts.Pair ports;
    private final CallerRtp callerRtp;
    private final Instant started = Instant.now();
    private final AtomicReference<State> state = new AtomicReference<>(State.SETTING_UP);
    private volatile Dialog dialog;
    private volatile SdpNegotiator.Negotiated media;
    private volatile long sdpVersion = 1;
    private volatile long lastMediaMillis = System.currentTimeMillis();
    private volatile CallStats.ActiveCall counted;
    private volatile ScheduledFuture<?> maxDuration;
    private volatile ParticipantSession participant;
    private final CallAudio audio = new CallAudio();

    Call(String sipCallId, Decision.Accept decision, ServerTransaction invite, RtpPorts.Pair ports,
         SdpNegotiator.Negotiated media) {
        this.sipCallId = sipCallId;
        this.decision = decision;
        this.invite = invite;
        this.ports = ports;
        this.callerRtp = new CallerRtp(sipCallId);
        this.media = media;
    }

    public String sipCallId() {
        return sipCallId;
    }

    public Decision.Accept decision() {
        return decision;
    }

    public String room() {
        return decision.roomName();
    }

    public String trunkName() {
        return decision.trunk() == null ? CallStats.NONE : decision.trunk().name();
    }

    ServerTransaction invite() {
        return invite;
    }

    CallAudio audio() {
        return audio;
    }

    CallerRtp callerRtp() {
        return callerRtp;
    }

    DatagramChannel rtp() {
        return ports.rtp();
    }

    DatagramChannel rtcp() {
        return ports.rtcp();
    }

    RtpPorts.Pair ports() {
        return ports;
    }

    public int rtpPort() {
        return ports.rtp().socket().getLocalPort();
    }

    public Instant started() {
        return started;
    }

    public State state() {
        return state.get();
    }

    boolean answered(Dialog confirmedDialog, CallStats.ActiveCall handle, ScheduledFuture<?> timer) {
        if (!state.compareAndSet(State.SETTING_UP, State.ANSWERED)) {
            return false;
        }
        dialog = confirmedDialog;
        counted = handle;
        maxDuration = timer;
        return true;
    }

    /** Marks the call ended; true for the one caller that should release it. */
    boolean end() {
        return state.getAndSet(State.ENDED) != State.ENDED;
    }

    void participant(ParticipantSession session) {
        participant = session;
    }

    ParticipantSession participant() {
        return participant;
    }

    Dialog dialog() {
        return dialog;
    }

    CallStats.ActiveCall counted() {
        return counted;
    }

    ScheduledFuture<?> maxDuration() {
        return maxDuration;
    }

    SdpNegotiator.Negotiated media() {
        return media;
    }

    long nextSdpVersion(SdpNegotiator.Negotiated renegotiated) {
        media = renegotiated;
        return ++sdpVersion;
    }

    long sdpVersion() {
        return sdpVersion;
    }

    void mediaSeen(long now) {
        lastMediaMillis = now;
    }

    long lastMediaMillis() {
        return lastMediaMillis;
    }
}
