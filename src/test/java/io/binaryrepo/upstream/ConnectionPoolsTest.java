package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: content downloads have their own connection pool, so stalled downloads whose clients left
 * cannot starve manifest, tag and token requests. Uses the production pool sizes.
 */
class ConnectionPoolsTest {

    @Test
    void contentPoolExhaustedByStalledDownloads_metadataRequestStillGetsThrough() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TestOrigin up = TestOrigin.http((req, resp) -> {
            if (req.getRequestURI().startsWith("/blob")) {
                resp.setContentLengthLong(1 << 20);
                OutputStream out = resp.getOutputStream();
                out.write(new byte[1024]);
                out.flush();
                try {
                    release.await(60, TimeUnit.SECONDS); // a stalled upstream download
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                TestOrigin.text(200, "manifest").answer(req, resp);
            }
        }); UpstreamClient c = new UpstreamClient(Upstreams.config(up.url()), Clock.systemUTC())) {
            List<UpstreamResponse> stalled = new ArrayList<>();
            try {
                int content = ConnectionPools.Sizes.DEFAULT.contentPerRoute();
                for (int i = 0; i < content; i++) {
                    UpstreamResponse r = c.send(Traffic.CONTENT, "GET", "/blob" + i, Map.of(), null);
                    stalled.add(r);
                    r.body().read(); // the download has started and holds its connection
                }
                UpstreamException full = assertThrows(UpstreamException.class,
                        () -> c.send(Traffic.CONTENT, "GET", "/blob-one-more", Map.of(), null).close());
                assertEquals(UpstreamException.Kind.TIMEOUT, full.kind(), "the content pool is really exhausted");

                try (UpstreamResponse r = c.send("GET", "/v2/lib/app/manifests/1", Map.of(), null)) {
                    assertEquals(200, r.status());
                    assertEquals("manifest", new String(r.readBody(100), StandardCharsets.UTF_8));
                }
                try (UpstreamResponse r = c.send(Traffic.METADATA, "HEAD", "/v2/lib/app/blobs/x", Map.of(), null)) {
                    assertEquals(200, r.status());
                }
            } finally {
                release.countDown();
                for (UpstreamResponse r : stalled) {
                    r.close();
                }
            }
        }
    }
}
