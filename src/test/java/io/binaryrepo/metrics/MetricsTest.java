package io.binaryrepo.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.Wait;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.Scrape;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MetricsTest extends ComponentTest {

    @Test
    void scriptedPulls_everyCounterHasTheExpectedValue() throws Exception {
        FakeRegistry up = upstream(false);
        byte[] layer = random(1 << 20, 7);
        FakeRegistry.Image img = up.putImage("library/app", "1", layer);
        String blob = "/v2/hub/library/app/blobs/" + img.layerDigests().get(0);
        String tag = "/v2/hub/library/app/manifests/1";
        up.rateLimitRemaining = "76;w=21600";
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n  - name: hub\n    type: docker\n    url: "
                + up.url() + "\n    metadataTtl: 5m\n    readTimeout: 5s\n");

        assertEquals(200, get(p, tag).statusCode()); // miss
        concurrentBlobPulls(up, p, blob, 21); // one miss, 20 coalesced
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(p, blob).statusCode()); // hits
        }
        assertEquals(200, get(p, tag).statusCode()); // hit within the TTL
        clock.advance(Duration.ofMinutes(6));
        up.manifestMode = FakeRegistry.ManifestMode.FAIL_500;
        assertEquals(200, get(p, tag).statusCode()); // stale
        up.manifestMode = FakeRegistry.ManifestMode.RATE_LIMIT_429;
        assertEquals(429, get(p, "/v2/hub/library/app/manifests/2").statusCode()); // error
        up.manifestMode = FakeRegistry.ManifestMode.NORMAL;
        assertEquals(404, get(p, "/v2/hub/library/app/blobs/sha256:" + "0".repeat(64)).statusCode()); // not found

        int m = img.manifest().length;
        int blobSize = layer.length;
        Scrape s = Scrape.of(client, p);
        String[] hub = {"repository", "hub", "format", "docker"};
        assertEquals(2, s.value("binaryrepo_requests_total", with(hub, "outcome", "miss")), "manifest and blob");
        assertEquals(20, s.value("binaryrepo_requests_total", with(hub, "outcome", "coalesced")));
        assertEquals(4, s.value("binaryrepo_requests_total", with(hub, "outcome", "hit")), "3 blobs, 1 manifest");
        assertEquals(1, s.value("binaryrepo_requests_total", with(hub, "outcome", "stale")));
        assertEquals(1, s.value("binaryrepo_requests_total", with(hub, "outcome", "error")), "the 429");
        assertEquals(1, s.value("binaryrepo_requests_total", with(hub, "outcome", "not_found")));
        assertEquals(0, s.value("binaryrepo_requests_total", with(hub, "outcome", "passthrough")));
        assertEquals(3L * blobSize + 2L * m, s.value("binaryrepo_served_bytes_total", with(hub, "source", "cache")));
        assertEquals(21L * blobSize + m, s.value("binaryrepo_served_bytes_total", with(hub, "source", "upstream")));
        assertEquals(blobSize + m, s.value("binaryrepo_upstream_bytes_total", hub), "bodies of the two 200s");
        // Upstream saw: GET manifest (200), GET blob (200), HEAD manifest to revalidate (500), GET manifest 2
        // (429), GET unknown blob (404); no token requests (anonymous registry without auth).
        assertEquals(5, up.countPrefix("GET ") + up.countPrefix("HEAD "), up.counts());
        assertEquals(1, up.count("HEAD /v2/library/app/manifests/1"), up.counts());
        assertEquals(2, s.value("binaryrepo_upstream_requests_total", with(hub, "status", "200")));
        assertEquals(1, s.value("binaryrepo_upstream_requests_total", with(hub, "status", "500")));
        assertEquals(1, s.value("binaryrepo_upstream_requests_total", with(hub, "status", "429")));
        assertEquals(1, s.value("binaryrepo_upstream_requests_total", with(hub, "status", "404")));
        for (String failure : List.of("timeout", "refused", "reset")) {
            assertEquals(0, s.value("binaryrepo_upstream_requests_total", with(hub, "status", failure)));
        }
        assertEquals(5, s.histogram("binaryrepo_upstream_request_duration_seconds", hub).getSampleCount());
        assertEquals(0, s.value("binaryrepo_downloads_in_flight"));
        assertEquals(0, s.value("binaryrepo_download_waiters", hub));
        assertEquals(76, s.value("binaryrepo_ratelimit_remaining", hub));
        assertEquals(100, s.value("binaryrepo_ratelimit_limit", hub));
        assertEquals(0, s.value("binaryrepo_cache_evictions_total"));
        assertEquals(0, s.value("binaryrepo_cache_evicted_bytes_total"));
        for (String jvm : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_uptime_seconds")) {
            assertTrue(s.has(jvm), "JVM binder meter " + jvm);
        }

        // The same meters over JMX (domain binaryrepo for a webapp at the root).
        javax.management.ObjectName coalesced = new javax.management.ObjectName(
                "binaryrepo:name=binaryrepoRequests.format.docker.outcome.coalesced.repository.hub,type=meters");
        assertEquals(20L, ((Number) java.lang.management.ManagementFactory.getPlatformMBeanServer()
                .getAttribute(coalesced, "Count")).longValue());

        // The cache gauges come from a walk of the cache on the metrics thread, asked for by a scrape.
        long[] onDisk = committed(tmp.resolve("cache"));
        Wait.until(Duration.ofSeconds(30), "cache gauges equal the files on disk " + java.util.Arrays.toString(onDisk),
                () -> {
                    Scrape again = scrape(p);
                    return again.value("binaryrepo_cache_size_bytes") == onDisk[0]
                            && again.value("binaryrepo_cache_entries") == onDisk[1];
                });
        assertTrue(onDisk[0] >= blobSize + m && onDisk[1] >= 2, "blob and manifest are on disk");
        Scrape last = scrape(p);
        assertTrue(last.value("binaryrepo_cache_max_size_bytes") >= onDisk[0]);
    }

    @Test
    void upstreamRefusesConnections_countedAsRefused_andNoServedBytes() throws Exception {
        FakeRegistry up = upstream(false);
        String url = up.url();
        up.stop();
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n  - name: hub\n    type: docker\n    url: " + url
                + "\n    readTimeout: 5s\n");
        assertEquals(502, get(p, "/v2/hub/library/x/manifests/1").statusCode());
        Scrape s = Scrape.of(client, p);
        String[] hub = {"repository", "hub", "format", "docker"};
        assertEquals(1, s.value("binaryrepo_upstream_requests_total", with(hub, "status", "refused")));
        assertEquals(1, s.value("binaryrepo_requests_total", with(hub, "outcome", "error")));
        assertEquals(0, s.value("binaryrepo_served_bytes_total", with(hub, "source", "upstream")));
        assertTrue(Double.isNaN(s.value("binaryrepo_ratelimit_remaining", hub)), "unknown until upstream tells");
    }

    private Scrape scrape(ProxyServer p) {
        try {
            return Scrape.of(client, p);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String[] with(String[] labels, String name, String value) {
        String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
        all[labels.length] = name;
        all[labels.length + 1] = value;
        return all;
    }

    /** Bytes and number of committed files under the cache root (spool files excluded). */
    private static long[] committed(Path cache) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(cache)) {
            List<Path> all = files.filter(Files::isRegularFile)
                    .filter(f -> !cache.relativize(f).toString().startsWith(".spool")).toList();
            long bytes = 0;
            for (Path f : all) {
                bytes += Files.size(f);
            }
            return new long[] {bytes, all.size()};
        }
    }

    private void concurrentBlobPulls(FakeRegistry up, ProxyServer p, String blob, int clients) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        up.blobGate = gate;
        CountDownLatch firstBytes = new CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(pool.submit(() -> {
                    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(p.url() + blob)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        int n = in.readNBytes(1024).length;
                        firstBytes.countDown();
                        return n + in.readAllBytes().length;
                    }
                }));
            }
            // Every client streams from the one download while upstream is held at half the blob.
            assertTrue(firstBytes.await(30, TimeUnit.SECONDS));
            gate.countDown();
            for (Future<Integer> f : results) {
                assertEquals(1 << 20, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            up.blobGate = null;
            pool.shutdownNow();
        }
    }
}
