package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.FakeRegistry;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * binaryrepo as its own process (heap capped at 256 MiB) killed with SIGKILL mid-download, and under
 * 500 concurrent connections.
 */
class ResilienceIT {
    private Path work;
    private FakeRegistry upstream;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void setUp() throws Exception {
        work = TempDirs.create("e2e-resilience-");
        upstream = FakeRegistry.start(false);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        upstream.close();
        TempDirs.deleteRecursively(work);
    }

    private Path config() throws Exception {
        Path f = work.resolve("repositories.yaml");
        Files.writeString(f, "repositories:\n  - name: hub\n    type: docker\n    url: " + upstream.url() + "\n");
        return f;
    }

    private ProxyProcess start(int port) throws Exception {
        ProxyProcess p = ProxyProcess.start(work.resolve("cache"), config(), port, "256m");
        toClose.add(p);
        return p;
    }

    private static byte[] random(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void killedWith20DownloadsInFlight_restartRemovesSpool_everyServedBlobMatchesItsDigest() throws Exception {
        int n = 20;
        List<byte[]> layers = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            layers.add(random(2 * 1024 * 1024, 100 + i));
            digests.add(upstream.putImage("library/crash" + i, "1", layers.get(i)).layerDigests().get(0));
        }
        CountDownLatch gate = new CountDownLatch(1);
        upstream.blobGate = gate;
        int port = Ports.free();
        ProxyProcess proxy = start(port);
        List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create(proxy.url() + "/v2/hub/library/crash" + i
                    + "/blobs/" + digests.get(i))).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        Path spool = work.resolve("cache/.spool");
        Wait.until(Duration.ofSeconds(60), "20 half-written spool files", () -> spoolBytes(spool, 1024 * 1024) == n);

        proxy.kill9();
        gate.countDown();
        upstream.blobGate = null;
        for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
            // Every client sees its download break; none receives a complete-looking body.
            try {
                HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
                throw new AssertionError("a killed server delivered a response: " + r.statusCode() + ", "
                        + r.body().length + " bytes");
            } catch (java.util.concurrent.ExecutionException expected) {
                // the connection broke
            }
        }
        assertEquals(n, count(spool), "the crash left the spool files behind");

        ProxyProcess restarted = start(port);
        assertEquals(0, count(spool), "spool leftovers removed at start-up");
        for (int i = 0; i < n; i++) {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(restarted.url() + "/v2/hub/library/crash"
                    + i + "/blobs/" + digests.get(i))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertArrayEquals(layers.get(i), r.body());
        }
        assertEveryCachedBlobMatchesItsName(work.resolve("cache/docker/blobs/sha256"));
    }

    @Test
    void fiveHundredConcurrentConnections_mixOfHitsAndCoalescedMisses_zeroErrorsEveryBodyVerified() throws Exception {
        List<FakeRegistry.Image> cached = new ArrayList<>();
        List<FakeRegistry.Image> missing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            cached.add(upstream.putImage("library/warm" + i, "1", random(256 * 1024, 200 + i)));
            missing.add(upstream.putImage("library/cold" + i, "1", random(1024 * 1024, 300 + i)));
        }
        ProxyProcess proxy = start(Ports.free());
        for (FakeRegistry.Image img : cached) {
            String name = "library/warm" + cached.indexOf(img);
            assertEquals(200, get(proxy.url() + "/v2/hub/" + name + "/manifests/1").statusCode());
            assertEquals(200, get(proxy.url() + "/v2/hub/" + name + "/blobs/" + img.layerDigests().get(0)).statusCode());
        }
        upstream.resetCounts();

        record Expect(String path, String digest) {
        }
        List<Expect> plan = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int k = (i / 5) % 10;
            switch (i % 5) {
                case 0, 1 -> plan.add(new Expect("/v2/hub/library/warm" + k + "/manifests/1", cached.get(k).manifestDigest()));
                case 2, 3 -> plan.add(new Expect("/v2/hub/library/warm" + k + "/blobs/" + cached.get(k).layerDigests().get(0),
                        cached.get(k).layerDigests().get(0)));
                default -> plan.add(new Expect("/v2/hub/library/cold" + k + "/blobs/" + missing.get(k).layerDigests().get(0),
                        missing.get(k).layerDigests().get(0)));
            }
        }
        List<CompletableFuture<HttpResponse<byte[]>>> futures = new ArrayList<>();
        for (Expect e : plan) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(URI.create(proxy.url() + e.path()))
                    .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        int errors = 0;
        StringBuilder firstErrors = new StringBuilder();
        for (int i = 0; i < plan.size(); i++) {
            try {
                HttpResponse<byte[]> r = futures.get(i).get(180, TimeUnit.SECONDS);
                if (r.statusCode() != 200 || !FakeRegistry.sha256(r.body()).equals(plan.get(i).digest())) {
                    errors++;
                    if (firstErrors.length() < 2000) {
                        firstErrors.append(plan.get(i).path()).append(" -> ").append(r.statusCode()).append('\n');
                    }
                }
            } catch (Exception e) {
                errors++;
                if (firstErrors.length() < 2000) {
                    firstErrors.append(plan.get(i).path()).append(" -> ").append(e).append('\n');
                }
            }
        }
        assertEquals(0, errors, firstErrors + "\n" + ExternalProcessTail.of(proxy.logText()));
        for (int k = 0; k < 10; k++) {
            assertEquals(1, upstream.count("GET /v2/library/cold" + k + "/blobs/" + missing.get(k).layerDigests().get(0)),
                    "one upstream download per missing blob");
        }
        assertEquals(0, upstream.countPrefix("GET /v2/library/warm"), "hits never reach upstream");
        assertTrue(proxy.isAlive());
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static long spoolBytes(Path spool, long atLeastPerFile) {
        try (Stream<Path> s = Files.list(spool)) {
            return s.filter(f -> {
                try {
                    return Files.size(f) >= atLeastPerFile;
                } catch (Exception e) {
                    return false;
                }
            }).count();
        } catch (Exception e) {
            return 0;
        }
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static void assertEveryCachedBlobMatchesItsName(Path root) throws Exception {
        int checked = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                assertEquals("sha256:" + f.getFileName(), FakeRegistry.sha256(Files.readAllBytes(f)), f.toString());
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked + " cached blobs");
    }

    /** Keeps failure messages readable. */
    static final class ExternalProcessTail {
        static String of(String log) {
            return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
        }
    }
}
