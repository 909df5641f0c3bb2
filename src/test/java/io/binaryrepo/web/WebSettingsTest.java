package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where rewritten URLs point: the configured public URL, else the request as the container sees it. */
class WebSettingsTest {

    private static HttpServletRequest request(String scheme, String host, int port, String contextPath) {
        HttpServletRequest r = mock(HttpServletRequest.class);
        when(r.getScheme()).thenReturn(scheme);
        when(r.getServerName()).thenReturn(host);
        when(r.getServerPort()).thenReturn(port);
        when(r.getContextPath()).thenReturn(contextPath);
        return r;
    }

    private static String base(Optional<String> configured, HttpServletRequest r) {
        return new WebSettings(Offload.NONE, "/cache", configured).baseUrl(r);
    }

    @Test
    void configuredPublicUrl_winsOverTheRequest() {
        assertEquals("https://cache.example.com/br",
                base(Optional.of("https://cache.example.com/br"), request("http", "10.0.0.5", 8081, "")));
    }

    @Test
    void withoutConfiguration_theRequestGivesSchemeHostPortAndContextPath() {
        assertEquals("http://cache:8081/binaryrepo", base(Optional.empty(), request("http", "cache", 8081, "/binaryrepo")));
        assertEquals("https://cache", base(Optional.empty(), request("https", "cache", 443, "")), "default ports are left out");
        assertEquals("http://cache", base(Optional.empty(), request("http", "cache", 80, "")));
        assertEquals("http://[::1]:8081", base(Optional.empty(), request("http", "::1", 8081, "")),
                "an IPv6 literal is bracketed");
    }

    @Test
    void headerValues_readsEveryValue_andNoneWhenTheContainerGivesNull() {
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getHeaders("Range")).thenReturn(Collections.enumeration(List.of("bytes=0-1", "bytes=2-3")));
        assertEquals(List.of("bytes=0-1", "bytes=2-3"), ProxyServlet.headerValues(request, "Range"));
        when(request.getHeaders("Accept")).thenReturn(null);
        assertEquals(List.of(), ProxyServlet.headerValues(request, "Accept"));
    }
}
