package io.dialtone.routing;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * Answers "does any trunk allow this source?" in time that grows with the number of distinct prefix lengths, not
 * with the number of trunks, so floods from unknown sources stay cheap to reject.
 */
final class SourceIndex {
    private boolean anySource;
    private final TreeMap<Integer, Set<ByteBuffer>> networksByPrefix = new TreeMap<>();
    private final Set<String> hosts = new HashSet<>();

    void add(CompiledTrunk trunk) {
        if (trunk.allowedAddresses().isEmpty()) {
            anySource = true;
        }
        for (AddressPattern pattern : trunk.allowedAddresses()) {
            if (pattern instanceof AddressPattern.Cidr cidr) {
                // IPv6 prefixes are kept apart from IPv4 ones by offsetting their length.
                int key = cidr.network().length == 4 ? cidr.prefix() : 1000 + cidr.prefix();
                networksByPrefix.computeIfAbsent(key, k -> new HashSet<>()).add(ByteBuffer.wrap(cidr.network()));
            } else {
                hosts.add(((AddressPattern.Host) pattern).name());
            }
        }
    }

    /**
     * Whether a connection from {@code source} may carry requests some trunk admits: its address is allowed, or a
     * trunk names hosts, which only the messages' From headers will show.
     */
    boolean mayConnect(InetAddress source) {
        return !hosts.isEmpty() || admits(source, "");
    }

    boolean admits(InetAddress source, String fromHost) {
        if (anySource || (!fromHost.isEmpty() && hosts.contains(fromHost))) {
            return true;
        }
        if (source == null) {
            return false;
        }
        byte[] address = source.getAddress();
        int offset = address.length == 4 ? 0 : 1000;
        for (var entry : networksByPrefix.subMap(offset, offset + 129).entrySet()) {
            if (entry.getValue().contains(ByteBuffer.wrap(AddressPattern.mask(address, entry.getKey() - offset)))) {
                return true;
            }
        }
        return false;
    }
}
