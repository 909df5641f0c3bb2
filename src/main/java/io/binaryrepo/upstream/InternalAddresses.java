package io.binaryrepo.upstream;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Classifies addresses that are not on the public internet: what a redirect or a third-party index
 * must not make binaryrepo fetch for an anonymous client (loopback services, the cloud metadata service
 * at 169.254.169.254, the private network). Stateless; thread-safe.
 */
final class InternalAddresses {
    private InternalAddresses() {
    }

    /** Why {@code a} is internal ("loopback", "link-local", ...), or null for a public address. */
    static String reason(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified (any-local)";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local (cloud metadata lives here)";
        }
        if (a.isSiteLocalAddress()) {
            return "private (site-local)";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return ipv4(b);
        }
        if (a instanceof Inet6Address) {
            return ipv6(b);
        }
        return null;
    }

    /** IPv4 ranges Java does not classify (RFC 6890 special-purpose registry). */
    private static String ipv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0) {
            return "'this network' (0.0.0.0/8)";
        }
        if (first == 100 && (second & 0xc0) == 64) {
            return "carrier-grade NAT (100.64.0.0/10)";
        }
        if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
            return "IETF protocol assignments (192.0.0.0/24)";
        }
        if (first == 198 && (second & 0xfe) == 18) {
            return "benchmarking (198.18.0.0/15)";
        }
        if (first >= 240) {
            return "reserved (240.0.0.0/4)";
        }
        return null;
    }

    private static String ipv6(byte[] b) {
        if ((b[0] & 0xfe) == 0xfc) {
            return "unique-local (fc00::/7)";
        }
        // Forms that embed an IPv4 address: IPv4-compatible ::a.b.c.d (Java already turns the
        // IPv4-mapped ::ffff:a.b.c.d into an Inet4Address), NAT64 64:ff9b::/96, 6to4 2002::/16.
        if (zero(b, 0, 12)) {
            return embedded(b, 12);
        }
        if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && zero(b, 4, 12)) {
            return embedded(b, 12);
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return embedded(b, 2);
        }
        return null;
    }

    private static String embedded(byte[] b, int at) {
        byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
        try {
            String r = reason(InetAddress.getByAddress(v4));
            return r == null ? null : "IPv6 form of a " + r + " IPv4 address";
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an IPv4 address
        }
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
