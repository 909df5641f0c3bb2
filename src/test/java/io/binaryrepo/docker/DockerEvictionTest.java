package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.Wait;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Docker content under eviction (issue 10): when a size cap evicts an image's tag, manifest and blobs while
 * the links stay, the next pull fetches everything again from upstream and answers exactly as the first
 * time: no 500, no dangling tag, no short body. The system clock is used (entries' commit times come from
 * the file system) and the grace period is 0 so that eviction can act within the test.
 */
class DockerEvictionTest extends ComponentTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private ProxyServer capped(FakeRegistry up) throws Exception {
        return closeAfter(ProxyServer.start(tmp.resolve("cache"), "repositories:\n  - name: hub\n    type: docker\n"
                + "    url: " + up.url() + "\n    metadataTtl: 0s\n", null,
                Map.of("binaryrepo.storage.maxSize", "3MiB", "binaryrepo.storage.evictionGrace", "0")));
    }

    private void pull(ProxyServer p, FakeRegistry.Image img, String name, String tag) throws Exception {
        HttpResponse<byte[]> m = get(p, "/v2/hub/" + name + "/manifests/" + tag, "Accept", OCI_MANIFEST);
        assertEquals(200, m.statusCode(), new String(m.body()));
        assertArrayEquals(img.manifest(), m.body());
        HttpResponse<byte[]> byDigest = get(p, "/v2/hub/" + name + "/manifests/" + img.manifestDigest(), "Accept",
                OCI_MANIFEST);
        assertEquals(200, byDigest.statusCode());
        for (String d : new String[] {img.configDigest(), img.layerDigests().get(0)}) {
            HttpResponse<byte[]> b = get(p, "/v2/hub/" + name + "/blobs/" + d);
            assertEquals(200, b.statusCode(), d);
            assertEquals(d, FakeRegistry.sha256(b.body()));
        }
    }

    @Test
    void evictedImage_nextPullFetchesAgainFromUpstream_sameAnswers() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image old = up.putImage("library/old", "1", random(2 << 20, 1));
        FakeRegistry.Image fresh = up.putImage("library/fresh", "1", random(2 << 20, 2));
        ProxyServer p = capped(up);
        Path cache = tmp.resolve("cache");
        pull(p, old, "library/old", "1");
        // the file system's clock (coarser than the JVM's) must see the second pull as later than the first
        FileTime firstPull = newestFile(cache);
        Path probe = tmp.resolve("clock-probe");
        Wait.until(Duration.ofSeconds(5), "the file system's clock passed the first pull", () -> {
            try {
                Files.write(probe, new byte[0]);
                return Files.getLastModifiedTime(probe).compareTo(firstPull) > 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        pull(p, fresh, "library/fresh", "1");

        Wait.until(Duration.ofSeconds(30), "the old layer evicted",
                () -> Files.notExists(blobFile(cache, old.layerDigests().get(0))));
        assertTrue(Files.notExists(blobFile(cache, old.layerDigests().get(0))), "the least recently used layer went");
        assertTrue(Files.exists(blobFile(cache, fresh.layerDigests().get(0))), "the most recent one stayed");
        int blobGets = up.count("GET /v2/library/old/blobs/" + old.layerDigests().get(0));

        pull(p, old, "library/old", "1");

        assertEquals(blobGets + 1, up.count("GET /v2/library/old/blobs/" + old.layerDigests().get(0)),
                "fetched again from upstream");
    }

    private static FileTime newestFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> {
                try {
                    return Files.getLastModifiedTime(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).max(FileTime::compareTo).orElseThrow();
        }
    }
}
