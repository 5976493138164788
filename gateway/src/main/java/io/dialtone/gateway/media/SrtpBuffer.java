package io.dialtone.gateway.media;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jitsi.utils.ByteArrayBuffer;

/** A packet as the SRTP library transforms it in place: it grows by the tag when protected, shrinks when checked. */
final class SrtpBuffer implements ByteArrayBuffer {
    /** Room for the largest tag and SRTCP index the transforms append. */
    private static final int HEADROOM = 16;

    private byte[] buffer;
    private int offset;
    private int length;

    /** A copy of {@code packet}'s remaining bytes, which it leaves untouched. */
    SrtpBuffer(ByteBuffer packet) {
        length = packet.remaining();
        buffer = new byte[length + HEADROOM];
        packet.duplicate().get(buffer, 0, length);
    }

    ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(buffer, offset, length);
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int newLength) {
        length = newLength;
    }

    @Override
    public void setOffset(int newOffset) {
        offset = newOffset;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int from, int count, byte[] out) {
        System.arraycopy(buffer, offset + from, out, 0, count);
    }

    @Override
    public void grow(int more) {
        if (offset + length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, offset + length + more);
        }
    }

    @Override
    public void append(byte[] data, int count) {
        grow(count);
        System.arraycopy(data, 0, buffer, offset + length, count);
        length += count;
    }

    @Override
    public void shrink(int less) {
        length = Math.max(0, length - less);
    }
}
