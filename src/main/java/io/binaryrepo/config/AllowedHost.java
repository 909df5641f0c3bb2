package io.binaryrepo.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of a repository's {@code allowedHosts}: a host that upstream redirects and absolute URLs
 * (Helm chart URLs) may lead to even when it is not the upstream's own origin and resolves to an
 * internal address (loopback, private, link-local...). {@code host} allows every port of that host,
 * {@code host:port} only that port. Immutable.
 *
 * @param host lowercase DNS name, dotted IPv4 address, or IPv6 address (without brackets, canonical form)
 * @param port the one allowed port, or -1 for every port
 */
public record AllowedHost(String host, int port) {
    private static final Pattern NAME = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    /** {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
    private static final Pattern ENTRY = Pattern.compile("(?:\\[([0-9a-f:.]+)]|([^:\\[\\]]+))(?::([0-9]{1,5}))?");

    /**
     * Parses an entry.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static AllowedHost parse(String entry) {
        String text = entry.trim().toLowerCase(Locale.ROOT);
        Matcher m = ENTRY.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + entry + "' must be host or host:port"
                    + " (an IPv6 address in brackets: [::1]:5000; no scheme, path or wildcard)");
        }
        String host;
        if (m.group(1) != null) {
            host = ipv6(m.group(1), entry);
        } else {
            host = m.group(2);
            if (!NAME.matcher(host).matches() || (host.matches("[0-9.]+") && !IPV4.matcher(host).matches())) {
                throw new IllegalArgumentException("'" + entry + "': '" + host
                        + "' is not a host name or a dotted IPv4 address (no scheme, path or wildcard)");
            }
        }
        int port = -1;
        if (m.group(3) != null) {
            port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + entry + "': port " + port + " is not between 1 and 65535");
            }
        }
        return new AllowedHost(host, port);
    }

    /**
     * Whether this entry allows {@code host} (as in a URL: lowercase or not, an IPv6 address with or
     * without brackets) on {@code port} (-1: unknown, which only an every-port entry allows).
     */
    public boolean allows(String host, int port) {
        return this.host.equals(normalize(host)) && (this.port < 0 || this.port == port);
    }

    /**
     * A URL's host in the form entries use: lowercase, IPv6 without brackets and canonical. Never
     * resolves a name (only text with a colon, which no host name has, is parsed as an address).
     */
    public static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.indexOf(':') >= 0) {
            try {
                return InetAddress.getByName(h).getHostAddress();
            } catch (UnknownHostException e) {
                return h;
            }
        }
        return h;
    }

    private static String ipv6(String literal, String entry) {
        if (literal.indexOf(':') < 0) {
            throw new IllegalArgumentException("'" + entry + "': brackets are for IPv6 addresses only");
        }
        try {
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + entry + "': '" + literal + "' is not an IPv6 address");
        }
    }

    /** The entry as written in the repositories file. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port < 0 ? h : h + ":" + port;
    }
}
