package io.dialtone.gateway.sip;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/**
 * Hands out even RTP ports from the configured range, each bound to a socket the call keeps until it ends, so two
 * calls never share a port and a port in use by another process is skipped.
 */
public final class RtpPorts {
    private final InetAddress bindAddress;
    private final int min;
    private final int max;
    private int next;

    public RtpPorts(InetAddress bindAddress, int min, int max) {
        this.bindAddress = bindAddress;
        this.min = min % 2 == 0 ? min : min + 1;
        this.max = max;
        this.next = this.min;
    }

    /** A non-blocking channel bound to a free even port; throws when the whole range is in use. */
    public synchronized DatagramChannel allocate() throws IOException {
        int span = (max - min) / 2 + 1;
        for (int tried = 0; tried < span; tried++) {
            int port = next;
            next = next + 2 > max ? min : next + 2;
            DatagramChannel channel = DatagramChannel.open();
            try {
                channel.bind(new InetSocketAddress(bindAddress, port));
                channel.configureBlocking(false);
                return channel;
            } catch (BindException inUse) {
                channel.close();
            }
        }
        throw new IOException("every even RTP port in " + min + "-" + max + " is in use");
    }
}
