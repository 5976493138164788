package io.dialtone.gateway.media;

import io.dialtone.api.v1alpha1.Codec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's audio on its way to the phone. Remote tracks' 10 ms blocks (on libwebrtc's playout thread) are
 * resampled to 8 kHz and queued per track; the gateway's own 20 ms clock, never libwebrtc's, takes 20 ms from every
 * queue, mixes, encodes G.711 and sends one RTP packet. A queue plays once it holds 30 ms, so the two clocks'
 * jitter does not starve it; one that runs dry (the playout clock is about 1 % slow) gives silence for the missing
 * part and fills to 30 ms again; one that holds more than 60 ms when the clock takes from it (a burst, or a
 * playout clock running fast) loses its oldest audio down to 30 ms, which keeps the added delay bounded. An RTCP sender report goes
 * from the odd port to the caller's every 5 s. A digit from the room replaces the audio with an RFC 4733 event for
 * 100 ms (three end packets closing it), when the caller offered telephone-event.
 */
public final class RoomToPhone implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomToPhone.class);
    private static final int FRAME_MILLIS = 20;
    private static final int PHONE_RATE = 8000;
    private static final int PHONE_FRAME = PHONE_RATE * FRAME_MILLIS / 1000;
    private static final int MAX_QUEUED = PHONE_RATE / 5;
    private static final int PRIMED = 3 * PHONE_FRAME / 2;
    /** Deeper than this, a queue has drifted ahead of the phone clock; it is cut back to PRIMED. */
    private static final int HIGH_WATER = 3 * PHONE_FRAME;
    /** A sender report with the first packet and then every 5 s (RFC 3550's minimum interval). */
    private static final long REPORT_EVERY = 5000 / FRAME_MILLIS;

    private final String callId;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final Codec codec;
    private final Supplier<InetSocketAddress> remote;
    private final RtpSender sender;
    private final Integer eventType;
    private final java.util.concurrent.ConcurrentLinkedQueue<Character> digits = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private char digit;
    private int eventTicks;
    private long eventTimestamp;
    private final Map<String, TrackQueue> tracks = new LinkedHashMap<>();
    private final ByteBuffer packet = ByteBuffer.allocate(1500);
    private volatile ScheduledFuture<?> ticks;
    private long queuedSamples;
    private long audibleTicks;

    /** @param rtcp the odd port beside {@code rtp}, where sender reports leave from */
    public RoomToPhone(String callId, DatagramChannel rtp, DatagramChannel rtcp, Codec codec, int payloadType,
                       Integer eventType, Supplier<InetSocketAddress> remote) {
        if (codec == Codec.G722) {
            throw new IllegalArgumentException("G.722 is negotiated only once the bridge encodes it");
        }
        this.callId = callId;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.codec = codec;
        this.remote = remote;
        this.eventType = eventType;
        this.sender = new RtpSender(payloadType, "dialtone-" + callId.hashCode());
    }

    public void start(ScheduledExecutorService clock) {
        ticks = clock.scheduleAtFixedRate(this::tickSafely, FRAME_MILLIS, FRAME_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** 10 ms of a remote track, 16-bit little-endian; called on libwebrtc's playout thread, so it only queues. */
    public void accept(String trackId, byte[] pcm, int sampleRate, int channels, int frames) {
        short[] mono = new short[frames];
        for (int i = 0; i < frames; i++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) {
                int at = 2 * (i * channels + c);
                sum += (short) ((pcm[at] & 0xFF) | (pcm[at + 1] << 8));
            }
            mono[i] = (short) (sum / channels);
        }
        TrackQueue queue;
        synchronized (tracks) {
            queue = tracks.computeIfAbsent(trackId, id -> new TrackQueue());
        }
        queue.add(mono, sampleRate);
    }

    /** A digit the room sent (LiveKit's publish_dtmf), played to the caller as an RFC 4733 event. */
    public void dtmf(char pressed) {
        if (eventType == null) {
            LOG.info("event=dtmf_dropped call={} digit={} why=\"the caller did not offer telephone-event\"", callId,
                    pressed);
            return;
        }
        digits.add(pressed);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | IOException e) {
            LOG.warn("call={} media to the phone failed: {}", callId, e.toString());
        }
    }

    synchronized void tick() throws IOException {
        int[] mix = new int[PHONE_FRAME];
        int deepest = 0;
        synchronized (tracks) {
            for (TrackQueue queue : tracks.values()) {
                deepest = Math.max(deepest, queue.takeInto(mix));
            }
        }
        if (deepest > 0) {
            queuedSamples += deepest;
            audibleTicks++;
        }
        byte[] payload = new byte[PHONE_FRAME];
        for (int i = 0; i < PHONE_FRAME; i++) {
            short sample = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, mix[i]));
            payload[i] = codec == Codec.PCMU ? G711.encodeUlaw(sample) : G711.encodeAlaw(sample);
        }
        packet.clear();
        RtpPacket next = nextEvent(payload);
        next.writeTo(packet);
        packet.flip();
        InetSocketAddress to = remote.get();
        if (to == null) {
            return;
        }
        rtp.send(packet, to);
        if (sender.packets() % REPORT_EVERY == 1) {
            rtcp.send(ByteBuffer.wrap(sender.senderReport(java.time.Instant.now())),
                    new InetSocketAddress(to.getAddress(), to.getPort() + 1));
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
                return sender.next(audio, PHONE_FRAME);
            }
            digit = queued;
            eventTimestamp = sender.timestamp();
        }
        eventTicks++;
        boolean end = eventTicks > 5;
        int duration = Math.min(eventTicks, 5) * PHONE_FRAME;
        boolean last = eventTicks == 8;
        RtpPacket event = sender.event(eventType, eventTimestamp, eventTicks == 1,
                TelephoneEvent.ofDigit(digit, end, 10, duration).toPayload(), PHONE_FRAME, last);
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
        return audibleTicks == 0 ? 0 : queuedSamples * 1000.0 / PHONE_RATE / audibleTicks;
    }

    public long packetsSent() {
        return sender.packets();
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    /** One remote track's audio at 8 kHz, waiting for the phone clock. */
    private static final class TrackQueue {
        private final short[] samples = new short[MAX_QUEUED];
        private int start;
        private int size;
        private boolean playing;
        private Resampler resampler;

        synchronized void add(short[] block, int sampleRate) {
            if (resampler == null || resampler.inputRate() != sampleRate) {
                resampler = new Resampler(sampleRate, PHONE_RATE);
            }
            for (short sample : resampler.process(block)) {
                if (size == samples.length) {
                    start = (start + 1) % samples.length;
                    size--;
                }
                samples[(start + size) % samples.length] = sample;
                size++;
            }
        }

        /** @return how many samples were queued before this take (0 while priming) */
        synchronized int takeInto(int[] mix) {
            if (!playing && size < PRIMED) {
                return 0;
            }
            if (size > HIGH_WATER) {
                start = (start + size - PRIMED) % samples.length;
                size = PRIMED;
            }
            int queued = size;
            playing = size >= mix.length;
            int n = Math.min(size, mix.length);
            for (int i = 0; i < n; i++) {
                mix[i] += samples[(start + i) % samples.length];
            }
            start = (start + n) % samples.length;
            size -= n;
            return queued;
        }
    }
}
