package io.dialtone.gateway.webrtc;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The DTLS records of one peer connection, as BouncyCastle's blocking DTLS reads them: the socket's reader hands
 * each record over without waiting, and a record that finds the queue full is dropped (DTLS retransmits), so a
 * peer that floods records costs this connection at most {@value #CAPACITY} of them.
 */
final class QueuedDatagrams implements DatagramTransport {
    private static final int CAPACITY = 32;
    /** Below the path MTU of any network a carrier's call crosses, with room for IP and UDP headers. */
    private static final int SEND_LIMIT = 1200;
    private static final int RECEIVE_LIMIT = 1500;

    /** Where a record goes out: the selected ICE pair's remote address, through the connection's socket. */
    @FunctionalInterface
    interface Sender {
        void send(byte[] datagram, int offset, int length) throws java.io.IOException;
    }

    private final BlockingQueue<byte[]> records = new ArrayBlockingQueue<>(CAPACITY);
    private final Sender sender;
    private volatile boolean closed;

    QueuedDatagrams(Sender sender) {
        this.sender = sender;
    }

    /** A record from the remote side; false when it was dropped. */
    boolean offer(byte[] record) {
        return !closed && records.offer(record);
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    @Override
    public int receive(byte[] buffer, int offset, int length, int waitMillis) throws java.io.IOException {
        if (closed) {
            throw new java.io.EOFException("the peer connection is closed");
        }
        try {
            byte[] record = records.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (record == null) {
                return -1;
            }
            int copied = Math.min(length, record.length);
            System.arraycopy(record, 0, buffer, offset, copied);
            return copied;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for DTLS");
        }
    }

    @Override
    public void send(byte[] buffer, int offset, int length) throws java.io.IOException {
        if (closed) {
            throw new java.io.EOFException("the peer connection is closed");
        }
        sender.send(buffer, offset, length);
    }

    @Override
    public void close() {
        closed = true;
        records.clear();
    }
}
