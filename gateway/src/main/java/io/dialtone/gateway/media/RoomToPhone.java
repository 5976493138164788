package io.dialtone.gateway.media;

import io.dialtone.api.v1alpha1.Codec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's audio on its way to the phone. Remote tracks' blocks (decoded on the media sockets' thread) are
 * resampled to the phone codec's rate (8 or 16 kHz) and queued per track ({@link PlayoutQueue}, which absorbs the
 * jitter and the drift between the two clocks); the gateway's own 20 ms clock takes a frame from every queue,
 * mixes, encodes (PCMU, PCMA or G.722) and sends one RTP packet. An RTCP sender report goes from the odd port to
 * the caller's every 5 s. A digit from the room replaces the audio with an RFC 4733 event for
 * 100 ms (three end packets closing it), when the caller offered telephone-event.
 */
public final class RoomToPhone implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomToPhone.class);
    private static final int FRAME_MILLIS = PhoneCodec.FRAME_MILLIS;
    static final int MAX_QUEUED_DIGITS = 64;
    private static final int RTP_FRAME = PhoneCodec.RTP_UNITS_PER_FRAME;
    /** A sender report with the first packet and then every 5 s (RFC 3550's minimum interval). */
    private static final long REPORT_EVERY = 5000 / FRAME_MILLIS;

    private final String callId;
    private final DatagramChannel rtp;
    private final MediaProtection protection;
    private final DatagramChannel rtcp;
    private final PhoneCodec codec;
    private final Supplier<Optional<InetSocketAddress>> remote;
    private final RtpSender sender;
    private final Integer eventType;
    private final java.util.concurrent.ConcurrentLinkedQueue<Character> digits = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private char digit;
    private int eventTicks;
    private long eventTimestamp;
    private final Map<String, PlayoutQueue> tracks = new LinkedHashMap<>();
    private final ByteBuffer packet = ByteBuffer.allocate(1500);
    private volatile FrameClock.Beat ticks;
    private long queuedSamples;
    private long audibleTicks;

    /**
     * @param rtcp   the odd port beside {@code rtp}, where sender reports leave from
     * @param sender the call's RTP stream to the phone, which prompts may have used before
     * @param protection how packets go on the wire (SRTP or plain)
     */
    public RoomToPhone(String callId, DatagramChannel rtp, DatagramChannel rtcp, Codec codec, RtpSender sender,
                       Integer eventType, Supplier<Optional<InetSocketAddress>> remote, MediaProtection protection) {
        this.callId = callId;
        this.protection = protection;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.codec = PhoneCodec.of(codec);
        this.remote = remote;
        this.eventType = eventType;
        this.sender = sender;
    }

    public void start(FrameClock clock) {
        ticks = clock.every(this::tickSafely);
    }

    /** A block of a remote track, mono; called on the media sockets' thread, so it only queues. */
    public void accept(String trackId, short[] samples, int sampleRate) {
        PlayoutQueue queue;
        synchronized (tracks) {
            queue = tracks.computeIfAbsent(trackId, id -> new PlayoutQueue(codec.sampleRate()));
        }
        queue.add(samples, sampleRate);
    }

    /**
     * A digit the room sent (LiveKit's publish_dtmf), played to the caller as an RFC 4733 event; whether it was queued.
     * At most {@value #MAX_QUEUED_DIGITS} wait: a room that sends faster than they play (about 10 a second) is not
     * let to fill the gateway's memory.
     */
    public boolean dtmf(char pressed) {
        return dtmf(String.valueOf(pressed));
    }

    /** Digits an agent sent (dialtone.dtmf), queued all or none, so a refusal never leaves half of them to play. */
    public boolean dtmf(String pressed) {
        if (eventType == null) {
            LOG.info("event=dtmf_dropped call={} digits={} why=\"the caller did not offer telephone-event\"", callId,
                    pressed);
            return false;
        }
        synchronized (digits) {
            if (digits.size() + pressed.length() > MAX_QUEUED_DIGITS) {
                LOG.info("event=dtmf_dropped call={} digits={} why=\"{} digits at most wait to be played\"", callId,
                        pressed, MAX_QUEUED_DIGITS);
                return false;
            }
            pressed.chars().forEach(digit -> digits.add((char) digit));
        }
        return true;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | IOException e) {
            LOG.warn("call={} media to the phone failed: {}", callId, e.toString());
        }
    }

    synchronized void tick() throws IOException {
        int[] mix = new int[codec.frameSamples()];
        int deepest = 0;
        synchronized (tracks) {
            for (PlayoutQueue queue : tracks.values()) {
                deepest = Math.max(deepest, queue.takeInto(mix));
            }
        }
        if (deepest > 0) {
            queuedSamples += deepest;
            audibleTicks++;
        }
        Optional<InetSocketAddress> destination = remote.get();
        if (destination.isEmpty()) {
            // Taken and not sent: the room's audio does not pile up for the caller while it cannot be sent.
            return;
        }
        InetSocketAddress to = destination.get();
        short[] frame = new short[mix.length];
        for (int i = 0; i < mix.length; i++) {
            frame[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, mix[i]));
        }
        byte[] payload = codec.encode(frame);
        packet.clear();
        RtpPacket next = nextEvent(payload);
        next.writeTo(packet);
        packet.flip();
        Optional<ByteBuffer> wire = protection.protectRtp(packet);
        if (wire.isPresent()) {
            rtp.send(wire.get(), to);
        }
        if (sender.packets() % REPORT_EVERY == 1) {
            Optional<ByteBuffer> report = protection.protectRtcp(
                    ByteBuffer.wrap(sender.senderReport(java.time.Instant.now())));
            if (report.isPresent()) {
                rtcp.send(report.get(), new InetSocketAddress(to.getAddress(), to.getPort() + 1));
            }
        }
    }

    /**
     * The packet of this tick: audio, or, while a digit plays, its event. Events span five 20 ms packets with one
     * timestamp and a growing duration; the end is sent three times (RFC 4733 2.5.1.4).
     */
    private RtpPacket nextEvent(byte[] audio) {
        if (eventTicks == 0) {
            Character queued = digits.poll();
            if (queued == null) {
                return sender.next(audio, RTP_FRAME);
            }
            digit = queued;
            eventTimestamp = sender.timestamp();
        }
        eventTicks++;
        boolean end = eventTicks > 5;
        int duration = Math.min(eventTicks, 5) * RTP_FRAME;
        boolean last = eventTicks == 8;
        RtpPacket event = sender.event(eventType, eventTimestamp, eventTicks == 1,
                TelephoneEvent.ofDigit(digit, end, 10, duration).toPayload(), RTP_FRAME, last);
        if (last) {
            eventTicks = 0;
        }
        return event;
    }

    /**
     * How much of the room's audio, on average, waited in the queues when the phone clock took from them: the
     * audio's age when it left (the 20 ms clock's phase adds up to one tick more).
     */
    public synchronized double queuedMillis() {
        return audibleTicks == 0 ? 0 : queuedSamples * 1000.0 / codec.sampleRate() / audibleTicks;
    }

    /** Times a track's audio stalled for longer than its queue held (summed over the call's tracks). */
    public long underruns() {
        synchronized (tracks) {
            return tracks.values().stream().mapToLong(PlayoutQueue::underruns).sum();
        }
    }

    /** Milliseconds of the room's audio dropped to keep the delay bounded (summed over the call's tracks). */
    public long droppedMillis() {
        synchronized (tracks) {
            return tracks.values().stream().mapToLong(PlayoutQueue::droppedSamples).sum() * 1000 / codec.sampleRate();
        }
    }

    public long packetsSent() {
        return sender.packets();
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.stop();
        }
    }
}
