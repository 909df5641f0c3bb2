package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import org.junit.jupiter.api.Test;

class TarballUrlsTest {
    private final TarballUrls urls = new TarballUrls(URI.create("https://registry.example.com/"));

    @Test
    void relative_upstreamUrl_isItsPath() {
        assertEquals("@types/node/-/node-1.0.0.tgz",
                urls.relative("https://registry.example.com/@types/node/-/node-1.0.0.tgz"));
        assertEquals("a/-/a-1.0.0.tgz", urls.relative("https://REGISTRY.example.com:443/a/-/a-1.0.0.tgz"));
    }

    @Test
    void relative_oldHttpUrlOfTheUpstreamHost_maps() {
        assertEquals("a/-/a-1.0.0.tgz", urls.relative("http://registry.example.com/a/-/a-1.0.0.tgz"));
    }

    @Test
    void relative_otherPortOfTheUpstreamHost_maps() {
        // fetched from the configured upstream URL's port anyway, never from the one the URL names
        assertEquals("a/-/a-1.0.0.tgz", urls.relative("https://registry.example.com:8443/a/-/a-1.0.0.tgz"));
    }

    @Test
    void relative_encodedScopeSlash_isDecoded() {
        assertEquals("@s/a/-/a-1.tgz", urls.relative("https://registry.example.com/@s%2fa/-/a-1.tgz"));
    }

    @Test
    void relative_otherHostsPortsAndShapes_doNotMap() {
        assertNull(urls.relative("https://evil.example.org/a/-/a-1.0.0.tgz"));
        assertNull(urls.relative("https://registry.example.com.evil.org/a/-/a-1.0.0.tgz"));
        assertNull(urls.relative("https://user@registry.example.com/a/-/a-1.0.0.tgz"));
        assertNull(urls.relative("https://registry.example.com/a/-/a-1.0.0.tgz?x=1"));
        assertNull(urls.relative("file:///etc/passwd"));
        assertNull(urls.relative("not a url"));
    }

    @Test
    void relative_upstreamWithPath_onlyBelowIt() {
        TarballUrls under = new TarballUrls(URI.create("https://nexus.example.com/repository/npm"));
        assertEquals("a/-/a-1.tgz", under.relative("https://nexus.example.com/repository/npm/a/-/a-1.tgz"));
        assertNull(under.relative("https://nexus.example.com/repository/other/a/-/a-1.tgz"));
        assertNull(under.relative("https://nexus.example.com/repository/npmx/a/-/a-1.tgz"));
    }

    @Test
    void rewrite_upstreamToPublic_othersUnchanged() {
        assertEquals("https://cache.example.com/repo/npm/a/-/a-1.tgz",
                urls.rewrite("https://registry.example.com/a/-/a-1.tgz", "https://cache.example.com/repo/npm"));
        assertEquals("https://cdn.example.org/a-1.tgz",
                urls.rewrite("https://cdn.example.org/a-1.tgz", "https://cache.example.com/repo/npm"));
    }
}
