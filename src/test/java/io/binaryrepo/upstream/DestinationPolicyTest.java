package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.config.AllowedHost;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.Test;

/**
 * The address check works on what a name resolves to at connection time (DNS rebinding). The names are
 * answered by a table standing in for DNS, which cannot be made to lie here.
 */
class DestinationPolicyTest {
    private static final Map<String, String[]> DNS = Map.of(
            "registry.example", new String[] {"10.0.0.5"},
            "rebind.example", new String[] {"127.0.0.1"},
            "mixed.example", new String[] {"10.0.0.9", "203.0.113.7"},
            "cdn.example", new String[] {"203.0.113.8"},
            "mirror.corp.example", new String[] {"192.168.7.7"});

    private static final DnsResolver TABLE = new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            String[] a = DNS.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            InetAddress[] result = new InetAddress[a.length];
            for (int i = 0; i < a.length; i++) {
                result[i] = InetAddress.getByName(a[i]);
            }
            return result;
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    };

    private final DestinationPolicy policy = new DestinationPolicy(URI.create("https://registry.example"),
            List.of(AllowedHost.parse("mirror.corp.example:8443")), TABLE);

    private static List<String> addresses(List<InetSocketAddress> l) {
        return l.stream().map(a -> a.getAddress().getHostAddress()).toList();
    }

    @Test
    void nameResolvingToLoopback_isRefused() {
        RefusedAddressException e = assertThrows(RefusedAddressException.class, () -> policy.resolve("rebind.example", 443));
        assertTrue(e.getMessage().contains("rebind.example:443") && e.getMessage().contains("127.0.0.1"), e.getMessage());
    }

    @Test
    void nameWithPublicAndPrivateAddresses_connectsOnlyToThePublicOne() throws Exception {
        assertEquals(List.of("203.0.113.7"), addresses(policy.resolve("mixed.example", 443)));
    }

    @Test
    void upstreamsOwnHostAndPort_mayBePrivate_butNotOnAnotherPort() throws Exception {
        assertEquals(List.of("10.0.0.5"), addresses(policy.resolve("registry.example", 443)));
        assertThrows(RefusedAddressException.class, () -> policy.resolve("registry.example", 8080));
    }

    @Test
    void allowedHostPort_mayBePrivate_onlyOnThatPort() throws Exception {
        assertEquals(List.of("192.168.7.7"), addresses(policy.resolve("mirror.corp.example", 8443)));
        assertThrows(RefusedAddressException.class, () -> policy.resolve("mirror.corp.example", 443));
    }

    @Test
    void publicHost_isResolvedAsIs() throws Exception {
        assertEquals(List.of("203.0.113.8"), addresses(policy.resolve("cdn.example", 443)));
    }

    @Test
    void absoluteUrls_mustBeHttpAndNotADowngrade() {
        assertEquals(UpstreamException.Kind.REFUSED, assertThrows(UpstreamException.class,
                () -> policy.checkAbsolute(URI.create("http://cdn.example/chart.tgz"))).kind());
        assertEquals(UpstreamException.Kind.INVALID, assertThrows(UpstreamException.class,
                () -> policy.checkAbsolute(URI.create("file:///etc/passwd"))).kind());
        assertEquals(UpstreamException.Kind.REFUSED, assertThrows(UpstreamException.class,
                () -> policy.checkRedirect(URI.create("https://registry.example/v2/"), URI.create("gopher://x/"))).kind());
    }
}
