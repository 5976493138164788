package io.dialtone.gateway.media;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A spoken prompt the gateway plays to callers, shipped in the jar as a 16 kHz 16-bit mono WAV
 * (scripts/generate-prompts.sh makes them with eSpeak NG). Each prompt is read once, and converted once per codec
 * rate it is asked for.
 */
public enum Prompt {
    ENTER_PIN("enter-pin"),
    PIN_RETRY("pin-retry"),
    PIN_REJECTED("pin-rejected"),
    PIN_TIMEOUT("pin-timeout");

    private static final int RATE = 16_000;

    private final String file;
    private final Map<Integer, short[]> byRate = new ConcurrentHashMap<>();

    Prompt(String file) {
        this.file = file;
    }

    /** The prompt's audio at {@code sampleRate} (8 or 16 kHz). */
    public short[] samples(int sampleRate) {
        short[] original = byRate.computeIfAbsent(RATE, rate -> read());
        return sampleRate == RATE ? original
                : byRate.computeIfAbsent(sampleRate, rate -> new Resampler(RATE, rate).process(original));
    }

    public double seconds() {
        return samples(RATE).length / (double) RATE;
    }

    private short[] read() {
        String resource = "/prompts/" + file + ".wav";
        try (InputStream in = Prompt.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the gateway jar lacks " + resource);
            }
            try (AudioInputStream audio = AudioSystem.getAudioInputStream(new BufferedInputStream(in))) {
                AudioFormat format = audio.getFormat();
                if (format.getSampleRate() != RATE || format.getChannels() != 1 || format.getSampleSizeInBits() != 16
                        || format.getEncoding() != AudioFormat.Encoding.PCM_SIGNED) {
                    throw new IllegalStateException(resource + " is " + format + "; prompts are 16 kHz 16-bit mono "
                            + "(scripts/generate-prompts.sh)");
                }
                byte[] bytes = audio.readAllBytes();
                short[] samples = new short[bytes.length / 2];
                ByteBuffer.wrap(bytes).order(format.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                        .asShortBuffer().get(samples);
                return samples;
            }
        } catch (UnsupportedAudioFileException e) {
            throw new IllegalStateException(resource + " is not a WAV file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }
}
