package io.binaryrepo.upstream;

import io.binaryrepo.config.AllowedHost;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * Where one repository's upstream client may connect (issue 17: no open proxy). Redirects and absolute
 * URLs may lead to the upstream's own origin, to hosts in the repository's {@code allowedHosts}, or to
 * any host whose addresses are public; never from https to plain http. The address check is made on the
 * addresses HttpClient is about to connect to (this class is its {@link DnsResolver}), so a name that
 * resolves to a public address for a check and to 127.0.0.1 for the connection (DNS rebinding) is
 * refused too. Immutable; thread-safe.
 */
final class DestinationPolicy implements DnsResolver {
    private final URI upstream;
    private final List<AllowedHost> allowed;
    private final DnsResolver dns;

    DestinationPolicy(URI upstream, List<AllowedHost> allowed) {
        this(upstream, allowed, SystemDefaultDnsResolver.INSTANCE);
    }

    DestinationPolicy(URI upstream, List<AllowedHost> allowed, DnsResolver dns) {
        this.upstream = upstream;
        this.allowed = List.copyOf(allowed);
        this.dns = dns;
    }

    /**
     * Checks a redirect from {@code from} to {@code to} before it is followed.
     *
     * @throws UpstreamException of kind {@link UpstreamException.Kind#REFUSED} for a non-HTTP target or
     *     an https to http downgrade
     */
    void checkRedirect(URI from, URI to) throws UpstreamException {
        String scheme = scheme(to);
        if (!scheme.equals("http") && !scheme.equals("https") || to.getHost() == null) {
            throw refused("upstream " + origin(from) + " redirected to a non-HTTP(S) location");
        }
        if (scheme(from).equals("https") && scheme.equals("http")) {
            throw refused("upstream " + origin(from) + " redirected from https to plain http (" + origin(to)
                    + "); binaryrepo never downgrades a request to plain http");
        }
    }

    /**
     * Checks an absolute URL taken from an upstream document (a Helm chart URL).
     *
     * @throws UpstreamException of kind {@link UpstreamException.Kind#INVALID} when it is not an
     *     absolute http(s) URL, {@link UpstreamException.Kind#REFUSED} for plain http from an https upstream
     */
    void checkAbsolute(URI uri) throws UpstreamException {
        String scheme = scheme(uri);
        if (!uri.isAbsolute() || uri.getHost() == null || (!scheme.equals("http") && !scheme.equals("https"))) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "not an absolute http(s) URL", null);
        }
        if (scheme(upstream).equals("https") && scheme.equals("http")) {
            throw refused("the https upstream " + origin(upstream) + " named a plain http URL on " + origin(uri)
                    + "; binaryrepo never downgrades a request to plain http");
        }
    }

    /**
     * Whether {@code host} on {@code port} may resolve to internal addresses: the upstream's own host
     * and port, or an allowed host. With {@code port} -1 (unknown) the upstream's host on any port and
     * every-port entries are trusted.
     */
    boolean trusted(String host, int port) {
        if (AllowedHost.normalize(host).equals(AllowedHost.normalize(upstream.getHost()))
                && (port < 0 || port == port(upstream))) {
            return true;
        }
        for (AllowedHost a : allowed) {
            if (a.allows(host, port)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        InetAddress[] all = resolve(host, port, dns.resolve(bare(host)));
        List<InetSocketAddress> result = new ArrayList<>(all.length);
        for (InetAddress a : all) {
            result.add(new InetSocketAddress(a, port));
        }
        return result;
    }

    /** Without a port only the upstream's host and every-port entries are trusted. */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return resolve(host, -1, dns.resolve(bare(host)));
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return dns.resolveCanonicalHostname(host);
    }

    /** Keeps the public addresses of an untrusted host; refuses it when none is left. */
    private InetAddress[] resolve(String host, int port, InetAddress[] addresses) throws UnknownHostException {
        if (trusted(host, port)) {
            return addresses;
        }
        List<InetAddress> kept = new ArrayList<>();
        String why = null;
        InetAddress first = null;
        for (InetAddress a : addresses) {
            String reason = InternalAddresses.reason(a);
            if (reason == null) {
                kept.add(a);
            } else if (why == null) {
                why = reason;
                first = a;
            }
        }
        if (kept.isEmpty() && first != null) {
            String target = bare(host).indexOf(':') >= 0 ? "[" + bare(host) + "]" : bare(host);
            throw new RefusedAddressException("refused to connect to " + target + (port < 0 ? "" : ":" + port)
                    + ": its address " + first.getHostAddress() + " is " + why
                    + " and the host is not the upstream's own; list '" + target + (port < 0 ? "" : ":" + port)
                    + "' in the repository's allowedHosts to allow it");
        }
        return kept.toArray(new InetAddress[0]);
    }

    private static UpstreamException refused(String message) {
        return new UpstreamException(UpstreamException.Kind.REFUSED, message, null);
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static String scheme(URI u) {
        return u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    }

    static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** {@code scheme://host:port}: never the path or query, which may hold a signed URL's secret. */
    static String origin(URI u) {
        return scheme(u) + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }
}
