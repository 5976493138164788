package io.dialtone.gateway.media;

import io.dialtone.api.v1alpha1.Codec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks prompts to the caller, paced by the gateway's 20 ms clock, in the call's codec and on the call's one RTP
 * stream; between prompts it sends silence, so the caller's NAT binding and the stream's timing stay alive.
 */
public final class PromptPlayer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PromptPlayer.class);

    private final String callId;
    private final DatagramChannel rtp;
    private final MediaProtection protection;
    private final PhoneCodec codec;
    private final RtpSender sender;
    private final Supplier<Optional<InetSocketAddress>> remote;
    private final ByteBuffer packet = ByteBuffer.allocate(1500);
    private short[] playing;
    private int position;
    private Runnable whenDone;
    private volatile FrameClock.Beat ticks;

    public PromptPlayer(String callId, DatagramChannel rtp, Codec codec, RtpSender sender,
                        Supplier<Optional<InetSocketAddress>> remote, MediaProtection protection) {
        this.callId = callId;
        this.protection = protection;
        this.rtp = rtp;
        this.codec = PhoneCodec.of(codec);
        this.sender = sender;
        this.remote = remote;
    }

    public void start(FrameClock clock) {
        ticks = clock.every(this::tickSafely);
    }

    /** Plays {@code prompt} from its start, cutting short whatever played; {@code done} runs after its last frame. */
    public synchronized void play(Prompt prompt, Runnable done) {
        playing = prompt.samples(codec.sampleRate());
        position = 0;
        whenDone = done;
        LOG.debug("call={} playing prompt {} ({} s)", callId, prompt, prompt.seconds());
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | IOException e) {
            LOG.warn("call={} prompt to the phone failed: {}", callId, e.toString());
        }
    }

    /** A frame of the prompt to the caller; until the caller may be sent audio (its ACK), the prompt waits. */
    void tick() throws IOException {
        Optional<InetSocketAddress> destination = remote.get();
        if (destination.isEmpty()) {
            return;
        }
        Runnable finished = null;
        short[] frame;
        synchronized (this) {
            int size = codec.frameSamples();
            if (playing == null) {
                frame = new short[size];
            } else {
                frame = Arrays.copyOfRange(playing, position, position + size);
                position += size;
                if (position >= playing.length) {
                    playing = null;
                    finished = whenDone;
                    whenDone = null;
                }
            }
        }
        try {
            packet.clear();
            sender.next(codec.encode(frame), PhoneCodec.RTP_UNITS_PER_FRAME).writeTo(packet);
            packet.flip();
            Optional<ByteBuffer> wire = protection.protectRtp(packet);
            if (wire.isPresent()) {
                rtp.send(wire.get(), destination.get());
            }
        } finally {
            // A prompt that ends with a failed send still ends: whoever waits for it (the PIN prompt) goes on.
            if (finished != null) {
                finished.run();
            }
        }
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.stop();
        }
    }
}
