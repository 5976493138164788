package io.dialtone.gateway.media;

import io.dialtone.api.v1alpha1.Codec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's audio on its way into the room, paced by the gateway's own 20 ms clock: RTP from the call's port
 * into the jitter buffer, one frame out per tick, decoded (PCMU, PCMA or G.722), a lost frame concealed (the last one, quieter, then
 * silence), resampled to the room side's rate if it differs, and handed on as two 10 ms frames. RFC 4733 events become digits on the way.
 */
public final class PhoneToRoom implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PhoneToRoom.class);
    private static final int FRAME_MILLIS = PhoneCodec.FRAME_MILLIS;
    private static final int RTP_CLOCK = 8000;

    private final String callId;
    private final DatagramChannel rtp;
    private final CallerRtp caller;
    private final PhoneCodec codec;
    private final int payloadType;
    private final Integer eventType;
    private final Consumer<short[]> room;
    private final Consumer<Character> digits;
    private final Runnable mediaSeen;
    /**
     * Starts at one frame, the packet read this tick played at once: on a calm path that is 20 ms less delay than
     * two. A packet that misses its tick is not lost but played a tick later (the buffer stretches), after which
     * the buffer holds two frames, and three times the jitter sets more.
     */
    private final JitterBuffer jitter = new JitterBuffer(RTP_CLOCK, FRAME_MILLIS, 1, 10);
    private final Resampler resampler;
    private final ByteBuffer buffer = ByteBuffer.allocate(2048);
    private final long startNanos = System.nanoTime();
    private final long[] readAt = new long[1024];
    private long heldNanos;
    private long heldFrames;
    private short[] last;
    private int concealed;
    private volatile FrameClock.Beat ticks;

    /**
     * @param caller     sorts the call's datagrams, digits included, as it does without the bridge
     * @param room       receives 10 ms frames of PCM at {@code outputRate}
     * @param outputRate the rate {@code room} takes
     */
    public PhoneToRoom(String callId, DatagramChannel rtp, CallerRtp caller, Codec codec, int payloadType,
                       Integer eventType, int outputRate, Consumer<short[]> room, Consumer<Character> digits,
                       Runnable mediaSeen) {
        this.callId = callId;
        this.rtp = rtp;
        this.caller = caller;
        this.codec = PhoneCodec.of(codec);
        this.last = new short[this.codec.frameSamples()];
        this.payloadType = payloadType;
        this.eventType = eventType;
        this.room = room;
        this.digits = digits;
        this.mediaSeen = mediaSeen;
        this.resampler = new Resampler(this.codec.sampleRate(), outputRate);
    }

    public void start(FrameClock clock) {
        ticks = clock.every(this::tickSafely);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | IOException e) {
            LOG.warn("call={} media tick failed: {}", callId, e.toString());
        }
    }

    synchronized void tick() throws IOException {
        long nowMillis = (System.nanoTime() - startNanos) / 1_000_000;
        boolean received = false;
        buffer.clear();
        java.net.SocketAddress from;
        while ((from = rtp.receive(buffer)) != null) {
            buffer.flip();
            CallerRtp.Heard heard = caller.read(from, buffer, payloadType, eventType, digits);
            received |= !(heard instanceof CallerRtp.Heard.Dropped);
            if (heard instanceof CallerRtp.Heard.Audio audio) {
                RtpPacket packet = audio.packet();
                readAt[packet.sequence() & (readAt.length - 1)] = System.nanoTime();
                jitter.put(packet, nowMillis);
            }
            buffer.clear();
        }
        if (received) {
            mediaSeen.run();
        }
        JitterBuffer.Frame frame = jitter.poll();
        if (frame == null) {
            return;
        }
        if (!frame.missing()) {
            heldNanos += System.nanoTime() - readAt[frame.packet().sequence() & (readAt.length - 1)];
            heldFrames++;
        }
        short[] samples = frame.missing() ? conceal() : decode(frame.packet().payload());
        short[] out = resampler.process(samples);
        int half = out.length / 2;
        room.accept(java.util.Arrays.copyOfRange(out, 0, half));
        room.accept(java.util.Arrays.copyOfRange(out, half, out.length));
    }

    /** Exactly one frame, whatever the packet carried, so the room side keeps its 10 ms rhythm. */
    private short[] decode(byte[] payload) {
        short[] samples = java.util.Arrays.copyOf(codec.decode(payload), codec.frameSamples());
        last = samples;
        concealed = 0;
        return samples;
    }

    private short[] conceal() {
        concealed++;
        short[] samples = new short[codec.frameSamples()];
        if (concealed <= 2) {
            for (int i = 0; i < samples.length; i++) {
                samples[i] = (short) (last[i] >> concealed);
            }
        }
        return samples;
    }

    /**
     * How long the caller's frames waited in the gateway on average, from the tick that read them off the socket to
     * the tick that handed them to the room (the read itself waits up to one 20 ms tick more).
     */
    public synchronized double heldMillis() {
        return heldFrames == 0 ? 0 : heldNanos / 1e6 / heldFrames;
    }

    public JitterBuffer jitter() {
        return jitter;
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.stop();
        }
    }
}
