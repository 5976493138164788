package io.dialtone.gateway.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that reads every room peer connection's socket: a selector over all of them, each datagram handed
 * to its connection's reader on this thread, in a buffer that is reused for the next datagram. Readers therefore
 * copy what they keep and never block, so one call's slow work cannot stall another's audio.
 */
public final class MediaSockets implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaSockets.class);

    /** Takes one datagram; the buffer is valid only during the call. */
    @FunctionalInterface
    public interface Reader {
        void datagram(ByteBuffer datagram, InetSocketAddress from);
    }

    private record Registration(DatagramChannel channel, Reader reader) {
    }

    private final Selector selector;
    private final ConcurrentLinkedQueue<Registration> added = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
    private final Thread thread;
    private volatile boolean running = true;

    public MediaSockets() throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, "webrtc-sockets");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts reading {@code channel} (non-blocking from now on) until it is closed. */
    void register(DatagramChannel channel, Reader reader) throws IOException {
        channel.configureBlocking(false);
        added.add(new Registration(channel, reader));
        selector.wakeup();
    }

    private void run() {
        while (running) {
            try {
                selector.select(1000);
                for (Registration registration; (registration = added.poll()) != null; ) {
                    try {
                        registration.channel().register(selector, SelectionKey.OP_READ, registration.reader());
                    } catch (ClosedChannelException closed) {
                        // closed before it was read at all
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    drain((DatagramChannel) key.channel(), (Reader) key.attachment());
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                LOG.warn("event=webrtc_socket_error error=\"{}\"", e.toString());
            }
        }
    }

    /** Everything waiting on one socket, bounded so a flooded socket yields to the others. */
    private void drain(DatagramChannel channel, Reader reader) {
        for (int read = 0; read < 64; read++) {
            InetSocketAddress from;
            try {
                buffer.clear();
                from = (InetSocketAddress) channel.receive(buffer);
            } catch (IOException e) {
                return;
            }
            if (from == null) {
                return;
            }
            buffer.flip();
            try {
                reader.datagram(buffer, from);
            } catch (RuntimeException e) {
                LOG.warn("event=webrtc_datagram_failed from={} error=\"{}\"", from, e.toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        selector.close();
    }
}
