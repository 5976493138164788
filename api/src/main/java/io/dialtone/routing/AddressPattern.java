package io.dialtone.routing;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Locale;

/** One entry of a trunk's allowedAddresses: an IP, a CIDR, or a host name compared with the From host. */
public sealed interface AddressPattern {

    boolean matches(InetAddress source, String fromHost);

    /** Whether some call could match both patterns; used to find trunks that compete for the same calls. */
    boolean overlaps(AddressPattern other);

    static AddressPattern parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = IpLiterals.parse(addressPart);
        if (address != null) {
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(trimmed.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' has a prefix length that is not a number");
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0-" + bits);
                }
            }
            return new Cidr(mask(address, prefix), prefix);
        }
        if (slash < 0 && trimmed.matches("^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$") && trimmed.matches(".*[A-Za-z].*")) {
            return new Host(trimmed.toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("'" + text
                + "' is not an IP address (203.0.113.7), a CIDR (203.0.113.0/24) or a host name");
    }

    static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    record Cidr(byte[] network, int prefix) implements AddressPattern {
        @Override
        public boolean matches(InetAddress source, String fromHost) {
            return source != null && contains(source.getAddress(), network, prefix);
        }

        @Override
        public boolean overlaps(AddressPattern other) {
            if (other instanceof Cidr c) {
                if (c.network.length != network.length) {
                    return false;
                }
                int shorter = Math.min(prefix, c.prefix);
                return contains(c.network, network, shorter) && contains(network, c.network, shorter);
            }
            // A call from inside the range may carry that host in its From header.
            return other instanceof Host;
        }

        private static boolean contains(byte[] address, byte[] network, int prefix) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int maskBits = 0xff << (8 - rest);
            return (address[full] & maskBits) == (network[full] & maskBits);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    record Host(String name) implements AddressPattern {
        @Override
        public boolean matches(InetAddress source, String fromHost) {
            return fromHost != null && fromHost.equalsIgnoreCase(name);
        }

        @Override
        public boolean overlaps(AddressPattern other) {
            return other instanceof Cidr || other instanceof Host h && h.name.equals(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
