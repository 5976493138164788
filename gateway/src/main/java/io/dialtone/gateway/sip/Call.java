package io.dialtone.gateway.sip;

import io.dialtone.gateway.livekit.ParticipantSession;
import io.dialtone.gateway.media.CallerRtp;
import io.dialtone.gateway.media.RtpSender;
import io.dialtone.gateway.stats.CallStats;
import io.dialtone.routing.CompiledTrunk;
import io.dialtone.routing.Decision;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;

/**
 * One call the gateway accepted: its SIP dialog, its RTP port, its room, and how it is counted. A call to a
 * PIN-protected rule is answered before it has a room: its decision arrives once the caller's PIN is accepted.
 */
public final class Call {
    public enum State { SETTING_UP, ANSWERED, ENDED }

    private final String sipCallId;
    private final CompiledTrunk trunk;
    private volatile Decision.Accept decision;
    private final ServerTransaction invite;
    private final RtpPorts.Pair ports;
    private final CallerRtp callerRtp;
    private final RtpSender toPhone;
    private volatile Consumer<Character> digitListener;
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

    /** @param decision null while the caller still has to enter a PIN */
    Call(String sipCallId, CompiledTrunk trunk, Decision.Accept decision, ServerTransaction invite, RtpPorts.Pair ports,
         SdpNegotiator.Negotiated media) {
        this.sipCallId = sipCallId;
        this.trunk = trunk;
        this.decision = decision;
        this.invite = invite;
        this.ports = ports;
        this.callerRtp = new CallerRtp(sipCallId);
        this.toPhone = new RtpSender(media.payloadType(), "dialtone-" + Integer.toHexString(sipCallId.hashCode()));
        this.media = media;
    }

    public String sipCallId() {
        return sipCallId;
    }

    /** Where the call goes; null while a PIN is being entered. */
    public Decision.Accept decision() {
        return decision;
    }

    void admit(Decision.Accept accepted) {
        decision = accepted;
    }

    public String room() {
        Decision.Accept accepted = decision;
        return accepted == null ? "-" : accepted.roomName();
    }

    public String trunkName() {
        return trunk == null ? CallStats.NONE : trunk.name();
    }

    CompiledTrunk trunk() {
        return trunk;
    }

    /** The one RTP stream the gateway sends the caller, prompts and the room's audio alike. */
    RtpSender toPhone() {
        return toPhone;
    }

    /** Who hears the caller's digits besides the log: the PIN prompt while it runs. */
    void digitListener(Consumer<Character> listener) {
        digitListener = listener;
    }

    /** A digit the caller pressed, as RFC 4733 event or SIP INFO: logged, and passed to the PIN prompt if any. */
    void digit(char pressed, String via) {
        CallRegistry.logDigit(this, pressed, via);
        Consumer<Character> listener = digitListener;
        if (listener != null) {
            listener.accept(pressed);
        }
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

    /** @param handle the active-call count, or null for a call answered to collect a PIN (counted once admitted) */
    boolean answered(Dialog confirmedDialog, CallStats.ActiveCall handle, ScheduledFuture<?> timer) {
        if (!state.compareAndSet(State.SETTING_UP, State.ANSWERED)) {
            return false;
        }
        dialog = confirmedDialog;
        counted = handle;
        maxDuration = timer;
        return true;
    }

    /** Counts a call admitted after its PIN; false (and nothing counted) when it ended meanwhile. */
    boolean counted(CallStats.ActiveCall handle) {
        counted = handle;
        if (state.get() == State.ENDED) {
            handle.close();
            return false;
        }
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

    /** Where the caller wants its audio; read again for every packet, since a re-INVITE may move it. */
    java.net.InetSocketAddress remoteMedia() {
        SdpNegotiator.Negotiated current = media;
        return new java.net.InetSocketAddress(current.remoteAddress(), current.remotePort());
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
