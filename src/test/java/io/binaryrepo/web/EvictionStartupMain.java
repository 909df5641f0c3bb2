package io.binaryrepo.web;

import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

/**
 * Start-up with a large cache, by hand (not a test: timings are noise on a shared machine): fills a cache
 * root with N entries of 1 KiB (default 100,000, shaped like Docker blobs) each with an access record, then
 * starts binaryrepo (embedded Jetty, the real listener, a 1 GiB cap) and prints how long until it serves a
 * request (a cached blob) and how long the background usage listing took. Run with the test class path:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.binaryrepo.web.EvictionStartupMain [N]}.
 */
public final class EvictionStartupMain {
    private EvictionStartupMain() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("eviction-startup");
        Path cache = dir.resolve("cache");
        Random random = new Random(1);
        byte[] body = new byte[1024];
        String first = null;
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            String hex = HexFormat.of().formatHex(id);
            String key = "docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
            first = first == null ? hex : first;
            Path f = cache.resolve(key);
            Files.createDirectories(f.getParent());
            Files.write(f, body);
            Path rec = cache.resolve("_access/" + key);
            Files.createDirectories(rec.getParent());
            Files.write(rec, Long.toString(now - i).getBytes(StandardCharsets.US_ASCII));
        }
        // this repository's link for the first blob, so that the timed request is a plain cache hit
        Path link = cache.resolve("docker/repos/hub/library/x/_links/sha256/" + first.substring(0, 2) + "/" + first);
        Files.createDirectories(link.getParent());
        Files.createFile(link);
        Files.createFile(cache.resolve(".clean-shutdown"));
        System.out.println("cache of " + n + " entries written under " + cache);
        try (FakeRegistry up = FakeRegistry.start(false)) {
            String yaml = "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url() + "\n";
            long t0 = System.nanoTime();
            try (io.binaryrepo.testing.LogCapture log = new io.binaryrepo.testing.LogCapture("io.binaryrepo");
                    ProxyServer p = ProxyServer.start(cache, yaml, null, Map.of("binaryrepo.storage.maxSize", "1GiB"))) {
                long started = System.nanoTime();
                HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(p.url() + "/v2/hub/library/x/blobs/sha256:" + first)).method("HEAD",
                        HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                long served = System.nanoTime();
                System.out.printf("start-up: %d ms; first request answered (%d) after %d ms%n",
                        (started - t0) / 1_000_000, r.statusCode(), (served - t0) / 1_000_000);
                while (log.messages(java.util.logging.Level.INFO, "Evictor").stream()
                        .noneMatch(m -> m.contains("usage listed"))) {
                    Thread.sleep(10);
                }
                System.out.printf("background usage listing done after %d ms: %s%n",
                        (System.nanoTime() - t0) / 1_000_000, log.messages(java.util.logging.Level.INFO, "Evictor"));
            }
        } finally {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
