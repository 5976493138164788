package io.dialtone.gateway.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitterBufferTest {
    private static final int FRAME = 20;

    @Test
    void packetsArrivingOutOfOrderArePlayedInOrderAcrossTheSequenceWrap() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 3, 10);
        List<Integer> played = new ArrayList<>();
        long now = 0;
        for (int sequence : new int[] {65533, 65535, 65534, 1, 0, 2, 3, 4, 5, 6}) {
            JitterBuffer.Frame frame = tick(buffer, sequence, now += FRAME);
            if (frame != null && !frame.missing()) {
                played.add(frame.packet().sequence());
            }
        }
        // Concealed frames may come between (the buffer refilling to its depth), never a packet out of order.
        assertThat(played).startsWith(65533, 65534, 65535, 0, 1, 2, 3);
        assertThat(buffer.lost()).isZero();
        assertThat(buffer.discarded()).isZero();
    }

    @Test
    void nothingIsPlayedUntilTheTargetDepthIsBuffered() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 3, 10);
        buffer.put(packet(10), 0);
        buffer.put(packet(11), 20);
        assertThat(buffer.poll()).isNull();
        buffer.put(packet(12), 40);
        assertThat(buffer.poll().packet().sequence()).isEqualTo(10);
    }

    @Test
    void aMissingPacketBecomesAGapToConcealAndIsCountedLost() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 2, 10);
        assertThat(tick(buffer, 1, 20)).isNull();
        assertThat(tick(buffer, 2, 40).packet().sequence()).isEqualTo(1);
        assertThat(tick(buffer, 4, 80).packet().sequence()).isEqualTo(2);
        assertThat(tick(buffer, 5, 100).missing()).isTrue();
        assertThat(tick(buffer, 6, 120).packet().sequence()).isEqualTo(4);
        assertThat(buffer.lost()).isEqualTo(1);
    }

    @Test
    void aBacklogIsPlayedDownToTheTargetByDiscardingTheOldest() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 2, 10);
        for (int sequence = 0; sequence < 10; sequence++) {
            buffer.put(packet(sequence), 0);
        }
        List<Integer> played = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            played.add(buffer.poll().packet().sequence());
        }
        assertThat(played).as("every other frame dropped until 4 are left (target 2 + 2)").containsExactly(1, 3, 5, 6);
        assertThat(buffer.discarded()).isEqualTo(3);
    }

    @Test
    void aLatePacketIsDroppedAndTheDelayGrows() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 2, 10);
        buffer.put(packet(1), 0);
        buffer.put(packet(3), 40);
        buffer.put(packet(4), 60);
        buffer.poll();
        buffer.poll();
        int before = buffer.targetDelayMillis();
        buffer.put(packet(2), 200);
        assertThat(buffer.late()).isEqualTo(1);
        assertThat(buffer.targetDelayMillis()).isEqualTo(before + FRAME);
    }

    @Test
    void theDelayFollowsTheNetworksJitterWithinItsBounds() {
        JitterBuffer calm = new JitterBuffer(8000, FRAME, 2, 15);
        JitterBuffer jittery = new JitterBuffer(8000, FRAME, 2, 15);
        java.util.Random random = new java.util.Random(4733);
        for (int sequence = 0; sequence < 500; sequence++) {
            long sent = sequence * (long) FRAME;
            calm.put(packet(sequence), sent + 5);
            jittery.put(packet(sequence), sent + 5 + random.nextInt(60));
            calm.poll();
            jittery.poll();
        }
        assertThat(calm.jitterMillis()).isLessThan(1);
        assertThat(calm.targetDelayMillis()).isEqualTo(2 * FRAME);
        assertThat(jittery.jitterMillis()).isBetween(10.0, 30.0);
        assertThat(jittery.targetDelayMillis()).isBetween(3 * FRAME, 15 * FRAME);
    }

    /** One 20 ms tick: what arrived in it, then what the playout clock takes. */
    @Test
    void aStrayPacketWithAJumpInItsSequenceLeavesTheStreamPlaying() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 2, 10);
        int real = 0;
        long now = 0;
        for (int sequence = 0; sequence < 500; sequence++) {
            if (sequence == 100) {
                buffer.put(new RtpPacket(0, false, 40_000, 1L << 30, 1, new byte[160]), now);
                buffer.put(new RtpPacket(0, false, 7, 0, 0xBAD, new byte[160]), now);
            }
            JitterBuffer.Frame frame = tick(buffer, sequence, now += FRAME);
            real += frame != null && !frame.missing() ? 1 : 0;
        }
        assertThat(real).as("real frames played of 500").isGreaterThanOrEqualTo(495);
        assertThat(buffer.strays()).isEqualTo(2);
        assertThat(buffer.restarts()).isZero();
    }

    @Test
    void aNewStreamConfirmedByItsNextPacketIsPlayedAtOnce() {
        JitterBuffer buffer = new JitterBuffer(8000, FRAME, 2, 10);
        long now = 0;
        for (int sequence = 0; sequence < 50; sequence++) {
            tick(buffer, sequence, now += FRAME);
        }
        List<Integer> played = new ArrayList<>();
        for (int sequence = 30_000; sequence < 30_010; sequence++) {
            buffer.put(new RtpPacket(0, false, sequence, sequence * 160L, 2, new byte[160]), now += FRAME);
            JitterBuffer.Frame frame = buffer.poll();
            if (frame != null && !frame.missing()) {
                played.add(frame.packet().sequence());
            }
        }
        assertThat(buffer.restarts()).isEqualTo(1);
        assertThat(played).as("the new stream from its first packet").startsWith(30_000, 30_001, 30_002);
    }

    private static JitterBuffer.Frame tick(JitterBuffer buffer, int sequence, long now) {
        buffer.put(packet(sequence), now);
        return buffer.poll();
    }

    private static RtpPacket packet(int sequence) {
        return new RtpPacket(0, false, sequence, sequence * 160L, 1, new byte[160]);
    }
}
