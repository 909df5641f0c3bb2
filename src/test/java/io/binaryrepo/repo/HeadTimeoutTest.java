package io.binaryrepo.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.FakeRegistry.BlobMode;
import io.binaryrepo.testing.FakeRegistry.ManifestMode;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Fault;
import io.binaryrepo.testing.FakeUpstream.Route;
import io.binaryrepo.testing.ProxyServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An upstream that accepts the connection and then sends nothing, not even the status line, until the
 * repository's {@code readTimeout} (1 s here) passes: the client gets 504 (issue 17: it was 500), in the
 * format's error style, for a blob (immutable content, a shared download), a manifest and a document; nothing
 * is cached.
 */
class HeadTimeoutTest extends ComponentTest {

    private ProxyServer docker(FakeRegistry up) throws Exception {
        return proxy(tmp.resolve("cache"), "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url()
                + "\n    readTimeout: 1s\n    connectTimeout: 2s\n");
    }

    @Test
    void blobUpstreamStallsBeforeHeaders_504WithOciError_nothingCached() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/tarpit", "1", random(4096, 1));
        ProxyServer p = docker(up);
        up.blobMode = BlobMode.STALL_BEFORE_HEADERS;
        String digest = img.layerDigests().get(0);
        HttpResponse<byte[]> r = get(p, "/v2/hub/library/tarpit/blobs/" + digest);
        assertEquals(504, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("UNAVAILABLE", errorCode(r));
        assertFalse(Files.exists(blobFile(tmp.resolve("cache"), digest)));
        assertSpoolEmpty(tmp.resolve("cache"));
    }

    @Test
    void manifestUpstreamStallsBeforeHeaders_504WithOciError() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/tarpit", "1", random(4096, 2));
        ProxyServer p = docker(up);
        up.manifestMode = ManifestMode.STALL;
        for (String ref : new String[] {"1", img.manifestDigest()}) {
            HttpResponse<byte[]> r = get(p, "/v2/hub/library/tarpit/manifests/" + ref,
                    "Accept", "application/vnd.oci.image.manifest.v1+json");
            assertEquals(504, r.statusCode(), ref + ": " + new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("UNAVAILABLE", errorCode(r));
        }
    }

    @Test
    void goDocumentAndZipUpstreamStallsBeforeHeaders_504InPlainText() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        up.put("/example.com/tarpit/@v/list", Route.ok("v1.0.0\n", "text/plain").withFault(Fault.STALL));
        up.put("/example.com/tarpit/@v/v1.0.0.zip", Route.ok(random(2048, 3), "application/zip")
                .withFault(Fault.STALL));
        closeAfter(up::release); // the stalled handlers end with the test
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n  - name: go\n    type: go\n    url: " + up.url()
                + "\n    readTimeout: 1s\n    connectTimeout: 2s\n    sumdb: off\n");
        for (String path : new String[] {"/repo/go/example.com/tarpit/@v/list", "/repo/go/example.com/tarpit/@v/v1.0.0.zip"}) {
            HttpResponse<byte[]> r = get(p, path);
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertEquals(504, r.statusCode(), path + ": " + body);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), path);
            assertTrue(body.contains("timed out"), path + ": " + body);
        }
        try (Stream<Path> cached = Files.walk(tmp.resolve("cache"))) {
            assertFalse(cached.anyMatch(f -> f.getFileName().toString().endsWith(".zip")), "no zip cached");
        }
        assertSpoolEmpty(tmp.resolve("cache"));
    }
}
