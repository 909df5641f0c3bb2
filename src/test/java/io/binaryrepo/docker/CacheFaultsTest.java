package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.FakeRegistry.BlobMode;
import io.binaryrepo.testing.FakeRegistry.ManifestMode;
import io.binaryrepo.testing.LogCapture;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the cache does when things go wrong: a full disk (a real tmpfs as the cache root), clients that
 * leave, upstreams that stall, rate-limit or fail.
 */
class CacheFaultsTest extends ComponentTest {
    private static final long MIB = 1024 * 1024;

    private FakeRegistry upstream() throws Exception {
        return upstream(false);
    }

    private ProxyServer proxy(FakeRegistry up, Path cacheDir, String readTimeout) throws Exception {
        return proxy(cacheDir, "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url()
                + "\n    readTimeout: " + readTimeout + "\n    connectTimeout: 2s\n");
    }

    /** A real, small file system as the cache root, so "disk full" is the kernel's ENOSPC. */
    private Path tmpfs(long bytes) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tmpfs"));
        run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString());
        closeAfter(() -> run("umount", "-l", dir.toString()));
        return dir.resolve("cache");
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }





    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[(int) MIB];
        try (var out = Files.newOutputStream(file)) {
            for (long n = 0; n < bytes; n += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - n));
            }
        } catch (IOException e) {
            // ENOSPC: the file system is as full as it gets, which is what the caller wants
        }
    }

    @Test
    void diskFull_blobsPassedThroughVerified_loggedOnce_cachingResumesWhenSpaceReturns() throws Exception {
        Path cache = tmpfs(48 * MIB);
        FakeRegistry up = upstream();
        byte[] a = random(8 * MIB, 1);
        byte[] b = random(4 * MIB, 2);
        byte[] c = random(4 * MIB, 3);
        FakeRegistry.Image img = up.putImage("library/disk", "1", a, b, c);
        ProxyServer p = proxy(up, cache, "10s");
        String base = "/v2/hub/library/disk/blobs/";
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            assertArrayEquals(a, get(p, base + img.layerDigests().get(0)).body());
            assertTrue(Files.exists(blobFile(cache, img.layerDigests().get(0))), "cached while there is room");

            Path filler = cache.resolve("filler");
            fill(filler, 30 * MIB);
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> r = get(p, base + img.layerDigests().get(1));
                assertEquals(200, r.statusCode());
                assertArrayEquals(b, r.body(), "passed through, byte-exact");
            }
            assertFalse(Files.exists(blobFile(cache, img.layerDigests().get(1))), "nothing cached while full");
            assertEquals(3, up.count("GET /v2/library/disk/blobs/" + img.layerDigests().get(1)));
            List<String> warnings = log.messages(Level.WARNING, "DiskSpace");
            assertEquals(1, warnings.size(), "logged once, not per request: " + warnings);

            Files.delete(filler);
            clock.advance(Duration.ofSeconds(5));
            assertArrayEquals(c, get(p, base + img.layerDigests().get(2)).body());
            assertTrue(Files.exists(blobFile(cache, img.layerDigests().get(2))), "caching resumes");
            assertEquals(1, log.messages(Level.INFO, "DiskSpace").stream().filter(m -> m.contains("resumes")).count());
        }
        assertSpoolEmpty(cache);
    }

    @Test
    void diskFull_newImagePullsEntirely_tagManifestAndLinkRecordsAreBestEffort() throws Exception {
        Path cache = tmpfs(16 * MIB);
        FakeRegistry up = upstream();
        byte[] layer = random(2 * MIB, 6);
        FakeRegistry.Image img = up.putImage("library/new", "1", layer);
        ProxyServer p = proxy(up, cache, "10s");
        fill(cache.resolve("filler"), 32 * MIB); // every byte taken: metadata writes fail too
        HttpResponse<byte[]> tag = get(p, "/v2/hub/library/new/manifests/1");
        assertEquals(200, tag.statusCode(), new String(tag.body()));
        assertArrayEquals(img.manifest(), tag.body());
        HttpResponse<byte[]> byDigest = get(p, "/v2/hub/library/new/manifests/" + img.manifestDigest());
        assertEquals(200, byDigest.statusCode());
        assertArrayEquals(img.manifest(), byDigest.body());
        HttpResponse<byte[]> blob = get(p, "/v2/hub/library/new/blobs/" + img.layerDigests().get(0));
        assertEquals(200, blob.statusCode());
        assertArrayEquals(layer, blob.body());
        assertEquals(1, up.count("GET /v2/library/new/manifests/1"), "the tag is served from memory within its TTL");
    }

    @Test
    void diskFillsUpDuringDownload_clientStillGetsWholeVerifiedBlob_nothingHalfWrittenCached() throws Exception {
        Path cache = tmpfs(64 * MIB);
        FakeRegistry up = upstream();
        byte[] layer = random(16 * MIB, 4);
        FakeRegistry.Image img = up.putImage("library/fill", "1", layer);
        String digest = img.layerDigests().get(0);
        ProxyServer p = proxy(up, cache, "10s");
        CountDownLatch gate = new CountDownLatch(1);
        up.blobGate = gate;

        Future<byte[]> result;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            result = pool.submit(() -> get(p, "/v2/hub/library/fill/blobs/" + digest).body());
            // upstream has sent half; the spool file holds it. Now take every free byte.
            awaitSpoolBytes(cache, 4 * MIB);
            fill(cache.resolve("filler"), 64 * MIB);
            gate.countDown();
            assertArrayEquals(layer, result.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertFalse(Files.exists(blobFile(cache, digest)), "a download that could not be written is not committed");
        assertSpoolEmpty(cache);
    }

    @Test
    void clientDisconnectsFromSharedDownload_otherClientsAndCacheFillUnaffected() throws Exception {
        FakeRegistry up = upstream();
        byte[] layer = random(6 * MIB, 5);
        FakeRegistry.Image img = up.putImage("library/leave", "1", layer);
        String digest = img.layerDigests().get(0);
        Path cache = tmp.resolve("cache");
        ProxyServer p = proxy(up, cache, "10s");
        CountDownLatch gate = new CountDownLatch(1);
        up.blobGate = gate;
        URI uri = URI.create(p.url() + "/v2/hub/library/leave/blobs/" + digest);

        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch started = new CountDownLatch(3);
            List<Future<byte[]>> stayers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                stayers.add(pool.submit(() -> {
                    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        byte[] first = in.readNBytes(1024);
                        started.countDown();
                        byte[] rest = in.readAllBytes();
                        byte[] all = new byte[first.length + rest.length];
                        System.arraycopy(first, 0, all, 0, first.length);
                        System.arraycopy(rest, 0, all, first.length, rest.length);
                        return all;
                    }
                }));
            }
            Future<Integer> leaver = pool.submit(() -> {
                HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                InputStream in = r.body();
                int n = in.readNBytes(1024).length;
                started.countDown();
                in.close(); // the client goes away mid-download
                return n;
            });
            assertTrue(started.await(30, TimeUnit.SECONDS));
            assertEquals(1024, leaver.get(30, TimeUnit.SECONDS));
            gate.countDown();
            for (Future<byte[]> f : stayers) {
                assertArrayEquals(layer, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, up.count("GET /v2/library/leave/blobs/" + digest));
        assertTrue(Files.exists(blobFile(cache, digest)), "the cache fill completed");
    }

    @Test
    void upstreamStallsMidBlob_readTimeoutAbortsClient_nothingCommitted() throws Exception {
        FakeRegistry up = upstream();
        byte[] layer = random(2 * MIB, 6);
        FakeRegistry.Image img = up.putImage("library/stall", "1", layer);
        Path cache = tmp.resolve("cache");
        ProxyServer p = proxy(up, cache, "1s");
        up.blobMode = BlobMode.STALL;
        String digest = img.layerDigests().get(0);
        assertThrows(IOException.class, () -> get(p, "/v2/hub/library/stall/blobs/" + digest));
        assertFalse(Files.exists(blobFile(cache, digest)));
        assertSpoolEmpty(cache);
    }

    @Test
    void upstreamStallsOnManifest_504WhenNothingCached_staleTagWhenCached() throws Exception {
        FakeRegistry up = upstream();
        FakeRegistry.Image img = up.putImage("library/slow", "1", random(1000, 7));
        ProxyServer p = proxy(up, tmp.resolve("cache"), "1s");
        assertEquals(200, get(p, "/v2/hub/library/slow/manifests/1").statusCode());
        up.manifestMode = ManifestMode.STALL;
        clock.advance(Duration.ofMinutes(10));
        HttpResponse<byte[]> stale = get(p, "/v2/hub/library/slow/manifests/1");
        assertEquals(200, stale.statusCode());
        assertArrayEquals(img.manifest(), stale.body());
        HttpResponse<byte[]> missing = get(p, "/v2/hub/library/slow/manifests/2");
        assertEquals(504, missing.statusCode());
        assertEquals("UNAVAILABLE", errorCode(missing));
    }

    @Test
    void upstreamRateLimitsOrFails_cachedTagServed_uncachedGets429Or502() throws Exception {
        FakeRegistry up = upstream();
        FakeRegistry.Image img = up.putImage("library/limited", "1", random(1000, 8));
        ProxyServer p = proxy(up, tmp.resolve("cache"), "5s");
        assertEquals(200, get(p, "/v2/hub/library/limited/manifests/1").statusCode());
        clock.advance(Duration.ofMinutes(10));

        up.manifestMode = ManifestMode.RATE_LIMIT_429;
        assertArrayEquals(img.manifest(), get(p, "/v2/hub/library/limited/manifests/1").body());
        HttpResponse<byte[]> limited = get(p, "/v2/hub/library/limited/manifests/2");
        assertEquals(429, limited.statusCode());
        assertEquals("TOOMANYREQUESTS", errorCode(limited));
        assertEquals("42", limited.headers().firstValue("Retry-After").orElseThrow());

        up.manifestMode = ManifestMode.FAIL_500;
        clock.advance(Duration.ofMinutes(10));
        assertArrayEquals(img.manifest(), get(p, "/v2/hub/library/limited/manifests/1").body());
        assertEquals(502, get(p, "/v2/hub/library/limited/manifests/2").statusCode());

        up.stop();
        clock.advance(Duration.ofMinutes(10));
        assertArrayEquals(img.manifest(), get(p, "/v2/hub/library/limited/manifests/1").body());
        HttpResponse<byte[]> refused = get(p, "/v2/hub/library/limited/manifests/2");
        assertEquals(502, refused.statusCode());
        assertEquals("UNAVAILABLE", errorCode(refused));
    }

    @Test
    void dockerHubRateLimitNearlyUsedUp_logged() throws Exception {
        FakeRegistry up = upstream();
        up.putImage("library/rl", "1", random(100, 9));
        ProxyServer p = proxy(up, tmp.resolve("cache"), "5s");
        up.rateLimitRemaining = "3;w=21600";
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            assertEquals(200, get(p, "/v2/hub/library/rl/manifests/1").statusCode());
            List<String> warnings = log.messages(Level.WARNING, "UpstreamClient");
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("3 pulls left"), warnings.get(0));
        }
    }

    private static void awaitSpoolBytes(Path cache, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(cache.resolve(".spool"))) {
                long total = 0;
                for (Path f : (Iterable<Path>) s::iterator) {
                    try {
                        total += Files.size(f);
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // committed or abandoned meanwhile; keep looking
                    }
                }
                if (total >= bytes) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("spool file never reached " + bytes + " bytes");
    }

}
