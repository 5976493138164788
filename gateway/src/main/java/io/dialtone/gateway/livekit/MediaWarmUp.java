package io.dialtone.gateway.livekit;

import io.dialtone.gateway.media.SrtpKeys;
import io.dialtone.gateway.media.SrtpProtection;
import io.dialtone.gateway.media.SrtpSuite;
import io.dialtone.gateway.webrtc.DtlsSrtp;
import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what every bridged call runs, before the gateway says it is ready: DTLS handshakes, SRTP both ways, Opus
 * decoding at both phone rates and encoding for wideband callers. In Java these start out interpreted, and a
 * fresh gateway offered ten calls a second failed 11 of its first 200 (DTLS handshakes and ICE that timed out while
 * the JIT and the interpreted codecs had the CPU). It takes one thread a few seconds (4.2 s on a 2-core machine),
 * once, at start.
 */
public final class MediaWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(MediaWarmUp.class);
    private static final int HANDSHAKES = 40;
    /** Two seconds of a room's Opus, decoded this many times at each phone rate. */
    private static final int DECODE_ROUNDS = 25;

    private final AtomicBoolean done = new AtomicBoolean();

    /** Starts the warm-up on a thread of its own. */
    public static MediaWarmUp start() {
        MediaWarmUp warmUp = new MediaWarmUp();
        Thread thread = new Thread(warmUp::run, "media-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return warmUp;
    }

    /** A warm-up with nothing to do: for a gateway that does not bridge audio. */
    public static MediaWarmUp none() {
        MediaWarmUp warmUp = new MediaWarmUp();
        warmUp.done.set(true);
        return warmUp;
    }

    /** Whether it is over (it is over when it failed too: calls then say why for themselves). */
    public boolean done() {
        return done.get();
    }

    private void run() {
        long started = System.nanoTime();
        try {
            DtlsSrtp.exercise(HANDSHAKES);
            List<byte[]> room = roomOpus();
            for (int rate : new int[] {8000, 16000}) {
                short[] pcm = new short[rate * 120 / 1000];
                for (int round = 0; round < DECODE_ROUNDS; round++) {
                    OpusDecoder decoder = new OpusDecoder(rate, 1);
                    for (byte[] packet : room) {
                        decoder.decode(packet, 0, packet.length, pcm, 0, pcm.length, false);
                    }
                }
            }
            RoomTrackEncoder wideband = RoomTrackEncoder.forMime("audio/opus", 16000);
            for (int frame = 0; frame < 500; frame++) {
                wideband.add(tone(160, frame));
            }
            srtp();
            // The warm-up's garbage grew the heap (an idle gateway measured 277 MiB RSS after it, 129 before it
            // existed); one collection here lets the collector give that memory back before any call comes.
            System.gc();
            LOG.info("event=media_warm_up ms={}", (System.nanoTime() - started) / 1_000_000);
        } catch (Exception e) {
            LOG.warn("event=media_warm_up_failed error=\"{}\"", e.toString());
        } finally {
            done.set(true);
        }
    }

    /** Two seconds of a 1 kHz tone as a LiveKit client sends it: 20 ms Opus frames at 48 kHz. */
    private static List<byte[]> roomOpus() throws Exception {
        OpusEncoder encoder = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
        short[] frame = new short[960];
        byte[] out = new byte[1500];
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (int n = 0; n < frame.length; n++) {
                frame[n] = (short) (8000 * Math.sin(2 * Math.PI * 1000 * (i * 960 + n) / 48000.0));
            }
            packets.add(Arrays.copyOf(out, encoder.encode(frame, 0, frame.length, out, 0, out.length)));
        }
        return packets;
    }

    private static short[] tone(int samples, int frame) {
        short[] pcm = new short[samples];
        for (int n = 0; n < samples; n++) {
            pcm[n] = (short) (8000 * Math.sin(2 * Math.PI * 440 * (frame * samples + n) / 16000.0));
        }
        return pcm;
    }

    private static void srtp() {
        byte[] key = new byte[SrtpSuite.KEY_BYTES + SrtpSuite.SALT_BYTES];
        SrtpProtection sending = new SrtpProtection(new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, key, key));
        SrtpProtection receiving = new SrtpProtection(new SrtpKeys(SrtpSuite.AES_CM_128_HMAC_SHA1_80, 1, key, key));
        for (int sequence = 0; sequence < 5000; sequence++) {
            ByteBuffer packet = ByteBuffer.allocate(12 + 160 + 16);
            packet.put((byte) 0x80).put((byte) 0).putShort((short) sequence).putInt(sequence * 160).putInt(42)
                    .put(new byte[160]).flip();
            sending.protectRtp(packet).flatMap(receiving::unprotectRtp);
        }
    }
}
