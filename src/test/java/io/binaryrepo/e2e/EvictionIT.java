package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.Scrape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Size-capped eviction in a real Tomcat (issue 10): a 300 MiB cap, five single-layer images of 64 MiB from
 * the CNCF registry pulled by real podman. Usage is sampled on disk all along and never exceeds the cap by
 * more than one download; the least recently used image goes, the most recent stays; an evicted image
 * pulls again; the access order survives a restart; 20 clients streaming blobs (Tomcat sendfile) while
 * eviction runs all get verified bodies. The grace period is 1 s so that eviction can act within the test.
 */
class EvictionIT {
    private static final long MIB = 1 << 20;
    private static final long CAP = 300 * MIB;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path cache;
    private String host;
    private TestImages.PushedImage[] images;

    @Test
    void cappedCache_evictsLeastRecentlyUsed_withinCap_pullsAgain_keepsOrderAcrossRestart() throws Exception {
        Path work = TempDirs.create("e2e-evict-");
        cache = work.resolve("cache");
        AtomicLong maxSeen = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                maxSeen.accumulateAndGet(usage(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "usage-sampler");
        TomcatDeployment tomcat = null;
        try (CncfRegistry registry = CncfRegistry.open(); Podman podman = new Podman()) {
            images = new TestImages.PushedImage[5];
            for (int i = 0; i < images.length; i++) {
                images[i] = TestImages.withLayer(registry, "library/evict" + i + ":1", 64 * MIB);
            }
            Path config = work.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: docker-remote\n    type: docker\n    url: "
                    + registry.url() + "\n");
            Map<String, String> env = Map.of("CATALINA_OPTS",
                    "-Dbinaryrepo.storage.maxSize=300MiB -Dbinaryrepo.storage.evictionGrace=1s");
            tomcat = TomcatDeployment.start(work.resolve("tomcat"), cache, config, env);
            host = "127.0.0.1:" + tomcat.port();
            sampler.start();

            for (int i = 0; i < 4; i++) {
                pull(podman, i); // 4 x 64 MiB: below the cap
            }
            pull(podman, 0); // read again: image 1 is now the least recently used
            // podman may reuse what it still has locally; reading the blobs through binaryrepo makes the use certain
            assertEquals(images[0].config().digest(), fetch(images[0].repository(), images[0].config(), false));
            assertEquals(images[0].layers().get(0).digest(),
                    fetch(images[0].repository(), images[0].layers().get(0), false));
            pull(podman, 4); // past the cap: evicts down to 270 MiB, i.e. image 1
            waitGone(1, tomcat);
            assertCached(0, 2, 3, 4);

            pull(podman, 1); // evicted: pulls again correctly, evicting image 2 (now least recently used)
            waitGone(2, tomcat);
            assertCached(0, 1, 3, 4);

            tomcat.close(); // a clean stop writes the recorded reads
            tomcat = TomcatDeployment.start(work.resolve("tomcat"), cache, config, env);
            host = "127.0.0.1:" + tomcat.port();
            pull(podman, 2); // image 3 was read least recently (image 0, committed earlier, was read after it)
            waitGone(3, tomcat);
            assertCached(0, 1, 2, 4);

            streamWhileEvicting(podman, tomcat);

            double evictions = Scrape.of(client, "http://" + host).value("binaryrepo_cache_evictions_total");
            assertTrue(evictions >= 1, "evictions counted after the restart: " + evictions);
            sampling.set(false);
            sampler.join();
            long layer = images[0].layerBytes();
            assertTrue(maxSeen.get() <= CAP + layer + MIB,
                    "usage " + maxSeen.get() + " exceeded the cap " + CAP + " by more than one download");
            assertTrue(tomcat.log().contains("eviction: removed"), tomcat.log());
        } finally {
            sampling.set(false);
            if (tomcat != null) {
                tomcat.close();
            }
            TempDirs.deleteRecursively(work);
        }
    }

    /** 20 clients read blobs of the cached images slowly while a pull evicts; every body must verify. */
    private void streamWhileEvicting(Podman podman, TomcatDeployment tomcat) throws Exception {
        int[] cached = {0, 1, 2, 4};
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                TestImages.Blob layer = images[cached[c % cached.length]].layers().get(0);
                String name = images[cached[c % cached.length]].repository();
                results.add(pool.submit(() -> fetch(name, layer, true)));
            }
            Thread.sleep(1500); // the streams are older than the grace period: their blobs may be evicted now
            pull(podman, 3);
            // every cached layer was being streamed: whichever one eviction removed, it removed it under a client
            Wait.until(WAIT, () -> "one streamed layer to be evicted; cached layers: " + cachedImages(),
                    () -> cachedImages().size() == 4 && cachedImages().contains(3));
            for (int c = 0; c < results.size(); c++) {
                TestImages.Blob layer = images[cached[c % cached.length]].layers().get(0);
                assertEquals(layer.digest(), results.get(c).get(), "client " + c + "\n" + tomcat.log());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** GETs a blob, reading it in 64 KiB steps (with pauses when {@code slowly}); returns the body's digest. */
    private String fetch(String name, TestImages.Blob blob, boolean slowly) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + host + "/v2/docker-remote/" + name + "/blobs/"
                + blob.digest())).timeout(Duration.ofMinutes(2)).build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int k; (k = in.read(buf)) >= 0; ) {
                md.update(buf, 0, k);
                n += k;
                if (slowly && (n & (4 * MIB - 1)) < k) {
                    Thread.sleep(100);
                }
            }
        }
        assertEquals(blob.size(), n, "body length");
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    private void pull(Podman podman, int i) {
        String ref = host + "/docker-remote/" + images[i].repository() + ":" + images[i].tag();
        assertEquals(images[i].digest(), podman.pull(ref), "pull of image " + i);
        podman.podman("rmi", "--force", ref).checked(); // the next pull asks binaryrepo again
        long u = usage();
        assertTrue(u <= CAP + images[i].layerBytes() + MIB, "usage " + u + " after pulling image " + i);
    }

    private Path layerFile(int i) {
        String hex = images[i].layers().get(0).digest().substring("sha256:".length());
        return cache.resolve("docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
    }

    private void waitGone(int i, TomcatDeployment tomcat) {
        Wait.until(WAIT, () -> "image " + i + "'s layer to be evicted; cached layers: " + cachedImages() + "\n"
                + tomcat.log(),
                () -> Files.notExists(layerFile(i)));
    }

    private List<Integer> cachedImages() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < images.length; i++) {
            if (Files.exists(layerFile(i))) {
                out.add(i);
            }
        }
        return out;
    }

    private void assertCached(int... expected) {
        for (int i : expected) {
            assertTrue(Files.exists(layerFile(i)), "image " + i + "'s layer still cached");
        }
    }

    /** Committed bytes on disk: everything but the spool and the access records. */
    private long usage() {
        if (!Files.isDirectory(cache)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(p -> !cache.relativize(p).toString().startsWith(".spool")
                    && !cache.relativize(p).toString().startsWith("_access")).mapToLong(p -> {
                        try {
                            return Files.isRegularFile(p) ? Files.size(p) : 0;
                        } catch (IOException e) {
                            return 0; // removed while walking
                        }
                    }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // a directory removed while walking: the next sample counts again
        }
    }
}
