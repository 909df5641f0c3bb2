package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where rewritten chart URLs point: the configured public URL, else the request as the container sees it. */
class PublicUrlTest {

    private static HttpServletRequest request(String scheme, String host, int port, String contextPath) {
        HttpServletRequest r = mock(HttpServletRequest.class);
        when(r.getScheme()).thenReturn(scheme);
        when(r.getServerName()).thenReturn(host);
        when(r.getServerPort()).thenReturn(port);
        when(r.getContextPath()).thenReturn(contextPath);
        return r;
    }

    @Test
    void configuredPublicUrl_winsOverTheRequest() {
        assertEquals("https://cache.example.com/br/repo/helm", PublicUrl.of(Optional.of("https://cache.example.com/br"),
                request("http", "10.0.0.5", 8081, ""), "helm"));
    }

    @Test
    void withoutConfiguration_theRequestGivesSchemeHostPortAndContextPath() {
        assertEquals("http://cache:8081/binaryrepo/repo/helm",
                PublicUrl.of(Optional.empty(), request("http", "cache", 8081, "/binaryrepo"), "helm"));
        assertEquals("https://cache/repo/helm", PublicUrl.of(Optional.empty(), request("https", "cache", 443, ""), "helm"),
                "default ports are left out");
        assertEquals("http://cache/repo/helm", PublicUrl.of(Optional.empty(), request("http", "cache", 80, ""), "helm"));
        assertEquals("http://[::1]:8081/repo/helm", PublicUrl.of(Optional.empty(), request("http", "::1", 8081, ""), "helm"),
                "an IPv6 literal is bracketed");
    }

    @Test
    void charactersThatCouldEndTheYamlScalar_areEncoded() {
        assertEquals("http://h/x%22y%5Cz%20/repo/helm",
                PublicUrl.of(Optional.of("http://h/x\"y\\z "), request("http", "h", 80, ""), "helm"));
    }
}
