package io.dialtone.gateway.media;

import java.util.TreeMap;

/**
 * Reorders the caller's RTP packets and hands out one frame per tick of the gateway's playout clock, holding back
 * enough to ride out the network's jitter. The target depth adapts: it follows the RFC 3550 interarrival jitter
 * estimate (three times it, within [min, max] frames), grows at once when a packet came too late to be played, and
 * shrinks one frame at a time while the network is calm. The buffer reaches its target by concealing a frame
 * without consuming one (stretching) and by discarding the oldest frame when it holds too much (compressing).
 * Sequence numbers are unwrapped to 64 bits, so the 16-bit wrap is invisible. A new SSRC, or a sequence number
 * more than {@value #MAX_JUMP} away from the stream's, is believed only once the packet after it follows on (the
 * probation of RFC 3550 A.1): then the buffer starts over with the new stream, both packets kept; a single stray
 * packet is dropped and counted, and the stream it interrupted plays on untouched.
 */
public final class JitterBuffer {
    /** Packets (2 s of 20 ms frames) a sequence number may move in one go and still belong to the same stream. */
    static final int MAX_JUMP = 100;
    private final int frameMillis;
    private final int minFrames;
    private final int maxFrames;
    private final int clockRate;
    private final TreeMap<Long, RtpPacket> packets = new TreeMap<>();
    private long highestSequence = -1;
    private long nextToPlay = -1;
    private int targetFrames;
    private double jitterUnits;
    private long lastTransit = Long.MIN_VALUE;
    private long late;
    private long lost;
    private long discarded;
    private long played;
    private long ssrc = -1;
    private RtpPacket probation;
    private long strays;
    private long restarts;

    /** What one tick of the playout clock gives: a packet, or a gap to conceal. */
    public record Frame(RtpPacket packet) {
        public boolean missing() {
            return packet == null;
        }
    }

    public JitterBuffer(int clockRate, int frameMillis, int minFrames, int maxFrames) {
        if (minFrames < 1 || maxFrames < minFrames) {
            throw new IllegalArgumentException("need 1 <= minFrames <= maxFrames, got " + minFrames + ", " + maxFrames);
        }
        this.clockRate = clockRate;
        this.frameMillis = frameMillis;
        this.minFrames = minFrames;
        this.maxFrames = maxFrames;
        this.targetFrames = minFrames;
    }

    /** @param arrivalMillis when the packet arrived, on the gateway's monotonic clock */
    public synchronized void put(RtpPacket packet, long arrivalMillis) {
        if (ssrc >= 0 && !sameStream(packet)) {
            RtpPacket first = probation;
            if (first == null || first.ssrc() != packet.ssrc()
                    || ((first.sequence() + 1) & 0xFFFF) != packet.sequence()) {
                dropProbation();
                probation = packet;
                return;
            }
            probation = null;
            restart();
            accept(first, arrivalMillis);
        }
        dropProbation();
        accept(packet, arrivalMillis);
    }

    /** A packet on probation that the next one did not confirm: a stray. */
    private void dropProbation() {
        if (probation != null) {
            probation = null;
            strays++;
        }
    }

    /** Whether {@code packet} continues the stream being played: its SSRC, and a sequence number near enough. */
    private boolean sameStream(RtpPacket packet) {
        if (packet.ssrc() != ssrc) {
            return false;
        }
        long candidate = nearest(packet.sequence());
        return Math.abs(candidate - highestSequence) <= MAX_JUMP;
    }

    /** Forgets the old stream; the adapted depth and jitter estimate are kept, since the network is the same. */
    private void restart() {
        packets.clear();
        highestSequence = -1;
        nextToPlay = -1;
        lastTransit = Long.MIN_VALUE;
        restarts++;
    }

    private void accept(RtpPacket packet, long arrivalMillis) {
        ssrc = packet.ssrc();
        long sequence = unwrap(packet.sequence());
        updateJitter(packet, arrivalMillis);
        if (nextToPlay >= 0 && sequence < nextToPlay) {
            late++;
            targetFrames = Math.min(maxFrames, targetFrames + 1);
            return;
        }
        packets.put(sequence, packet);
        while (packets.size() > maxFrames * 2) {
            packets.pollFirstEntry();
            discarded++;
            nextToPlay = nextToPlay < 0 ? -1 : Math.max(nextToPlay, packets.firstKey());
        }
    }

    /**
     * One tick of the playout clock: the next packet, or a missing frame to conceal (a packet that never came, or
     * the buffer refilling to its target); null until the first packets have filled it.
     */
    public synchronized Frame poll() {
        if (nextToPlay < 0) {
            if (packets.isEmpty() || highestSequence - packets.firstKey() + 1 < targetFrames) {
                return null;
            }
            nextToPlay = packets.firstKey();
        }
        long depth = highestSequence - nextToPlay + 1;
        if (depth < targetFrames) {
            return new Frame(null);
        }
        if (depth > targetFrames + 2) {
            if (packets.remove(nextToPlay) != null) {
                discarded++;
            }
            nextToPlay++;
        }
        RtpPacket packet = packets.remove(nextToPlay);
        nextToPlay++;
        if (packet == null) {
            lost++;
        } else {
            played++;
            adapt();
        }
        return new Frame(packet);
    }

    public synchronized int targetDelayMillis() {
        return targetFrames * frameMillis;
    }

    /** RFC 3550 interarrival jitter, in milliseconds. */
    public synchronized double jitterMillis() {
        return jitterUnits * 1000.0 / clockRate;
    }

    public synchronized long late() {
        return late;
    }

    public synchronized long lost() {
        return lost;
    }

    /** Packets that claimed a new stream and were not followed by the next one of it: dropped. */
    public synchronized long strays() {
        return strays;
    }

    /** Times the caller's stream started over (a new SSRC or a jump in its sequence numbers, confirmed). */
    public synchronized long restarts() {
        return restarts;
    }

    /** Frames dropped to bring the delay back down to the target. */
    public synchronized long discarded() {
        return discarded;
    }

    private long unwrap(int sequence) {
        if (highestSequence < 0) {
            highestSequence = sequence;
            return sequence;
        }
        long candidate = nearest(sequence);
        highestSequence = Math.max(highestSequence, candidate);
        return candidate;
    }

    /** The 64-bit sequence number nearest the highest one seen whose low 16 bits are {@code sequence}. */
    private long nearest(int sequence) {
        long candidate = (highestSequence & ~0xFFFFL) | sequence;
        if (candidate - highestSequence > 0x8000) {
            candidate -= 0x10000;
        } else if (highestSequence - candidate > 0x8000) {
            candidate += 0x10000;
        }
        return candidate;
    }

    private void updateJitter(RtpPacket packet, long arrivalMillis) {
        long transit = arrivalMillis * clockRate / 1000 - packet.timestamp();
        if (lastTransit != Long.MIN_VALUE) {
            long d = Math.abs(transit - lastTransit);
            if (d < clockRate) {
                jitterUnits += (d - jitterUnits) / 16.0;
            }
        }
        lastTransit = transit;
    }

    private void adapt() {
        int wanted = (int) Math.ceil(3 * jitterMillis() / frameMillis);
        wanted = Math.max(minFrames, Math.min(maxFrames, wanted));
        if (wanted > targetFrames) {
            targetFrames = wanted;
        } else if (wanted < targetFrames && played % 50 == 0) {
            targetFrames--;
        }
    }
}
