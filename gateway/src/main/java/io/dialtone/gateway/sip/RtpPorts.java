package io.dialtone.gateway.sip;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/**
 * Hands out even RTP ports from the configured range with the odd RTCP port above each, both bound to sockets the
 * call keeps until it ends, so two calls never share a port and a pair partly in use by another process is skipped.
 * The search starts at a random pair: ports handed out in order would tell a stranger where the next call's media
 * is.
 */
public final class RtpPorts {
    private final InetAddress bindAddress;
    private final int min;
    private final int max;
    private final java.security.SecureRandom random = new java.security.SecureRandom();

    public RtpPorts(InetAddress bindAddress, int min, int max) {
        this.bindAddress = bindAddress;
        this.min = min % 2 == 0 ? min : min + 1;
        this.max = max;
    }

    /** A call's two sockets: RTP on the even port, RTCP on the odd one above it. */
    public record Pair(DatagramChannel rtp, DatagramChannel rtcp) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                rtp.close();
            } finally {
                rtcp.close();
            }
        }
    }

    /** Non-blocking channels bound to a free pair of ports; throws when the whole range is in use. */
    public synchronized Pair allocate() throws IOException {
        int span = (max - 1 - min) / 2 + 1;
        int first = random.nextInt(span);
        for (int tried = 0; tried < span; tried++) {
            int port = min + 2 * ((first + tried) % span);
            DatagramChannel rtp = bind(port);
            if (rtp == null) {
                continue;
            }
            DatagramChannel rtcp = bind(port + 1);
            if (rtcp != null) {
                return new Pair(rtp, rtcp);
            }
            rtp.close();
        }
        throw new IOException("every RTP/RTCP port pair in " + min + "-" + max + " is in use");
    }

    private DatagramChannel bind(int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.bind(new InetSocketAddress(bindAddress, port));
            channel.configureBlocking(false);
            return channel;
        } catch (BindException inUse) {
            channel.close();
            return null;
        }
    }
}
