package io.binaryrepo.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.ProxyServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The shared handler's promises for immutable content, seen through a format whose content has no digest
 * (Go module zips, checked by length): what cannot be verified is never committed.
 */
class ContentServerTest extends ComponentTest {
    private static final String ZIP = "/example.com/m/@v/v1.0.0.zip";

    private ProxyServer proxyFor(FakeUpstream up) throws Exception {
        return proxy(tmp.resolve("cache"), "repositories:\n  - name: go\n    type: go\n    url: " + up.url()
                + "\n    readTimeout: 5s\n");
    }

    private boolean cached() {
        return Files.exists(tmp.resolve("cache/go/go/mod/example.com/m/_v/v1.0.0.zip"));
    }

    @Test
    void serveContent_upstreamAnswersAnHtmlPage_502AndNotCached() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        up.put(ZIP, FakeUpstream.Route.ok("<html>proxy login</html>", "text/html; charset=utf-8"));
        ProxyServer p = proxyFor(up);
        HttpResponse<byte[]> r = get(p, "/repo/go" + ZIP);
        assertEquals(502, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("HTML page"), new String(r.body(), StandardCharsets.UTF_8));
        assertFalse(cached());
    }

    @Test
    void serveContent_noDigestAndNoLength_502AndNotCached() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        up.put(ZIP, FakeUpstream.Route.ok(random(200_000, 3), "application/zip").withFault(FakeUpstream.Fault.NO_LENGTH));
        ProxyServer p = proxyFor(up);
        HttpResponse<byte[]> r = get(p, "/repo/go" + ZIP);
        assertEquals(502, r.statusCode());
        assertFalse(cached());
    }

    @Test
    void serveContent_twentyConcurrentMisses_oneUpstreamGet_everyClientGetsTheBytes() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        byte[] zip = random(2_000_000, 4);
        up.put(ZIP, FakeUpstream.Route.ok(zip, "application/zip").withFault(FakeUpstream.Fault.HOLD_HALF));
        ProxyServer p = proxyFor(up);
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return get(p, "/repo/go" + ZIP);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        io.binaryrepo.e2e.Wait.until(java.time.Duration.ofSeconds(30), "the download to start",
                () -> up.count("GET", ZIP) == 1);
        up.release();
        for (CompletableFuture<HttpResponse<byte[]>> f : all) {
            HttpResponse<byte[]> r = f.get();
            assertEquals(200, r.statusCode());
            assertArrayEquals(zip, r.body());
        }
        assertEquals(1, up.count("GET", ZIP));
        assertTrue(cached());
    }

    @Test
    void serveContent_corruptOrTruncated_neverCommitted_thenServedWhenUpstreamHeals() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        byte[] zip = random(300_000, 5);
        up.put(ZIP, FakeUpstream.Route.ok(zip, "application/zip").withFault(FakeUpstream.Fault.TRUNCATE));
        ProxyServer p = proxyFor(up);
        try {
            HttpResponse<byte[]> r = get(p, "/repo/go" + ZIP);
            assertTrue(r.statusCode() != 200 || r.body().length < zip.length, "never a complete-looking body");
        } catch (java.io.IOException expected) {
            // the connection was aborted: the honest signal once headers went out
        }
        assertFalse(cached());
        assertSpoolEmpty(tmp.resolve("cache"));
        up.put(ZIP, FakeUpstream.Route.ok(zip, "application/zip"));
        assertArrayEquals(zip, get(p, "/repo/go" + ZIP).body());
        assertTrue(cached());
    }
}
