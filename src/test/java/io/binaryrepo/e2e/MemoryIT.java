package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Memory stays bounded: binaryrepo with its heap capped at 256 MiB serves a 1 GiB blob to 50 curl
 * clients at once (one coalesced upstream download from the CNCF registry, then 50 streams).
 * {@code -XX:+ExitOnOutOfMemoryError} makes any heap blow-up a dead server and a failed test.
 */
class MemoryIT {
    private static final long SIZE = 1L << 30;
    private static final int CLIENTS = 50;

    @Test
    void fiftyClientsPullOneGibBlobAtOnce_heapCappedAt256m_allComplete() throws Exception {
        Path work = TempDirs.create("e2e-memory-");
        try (CncfRegistry registry = CncfRegistry.open()) {
            Path file = work.resolve("blob");
            String digest = writeRandom(file, SIZE);
            upload(registry.url(), "library/huge", file, digest);
            Files.delete(file);
            Path config = work.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: hub\n    type: docker\n    url: " + registry.url() + "\n");
            try (ProxyProcess proxy = ProxyProcess.start(work.resolve("cache"), config, Ports.free(), "256m")) {
                String url = proxy.url() + "/v2/hub/library/huge/blobs/" + digest;
                List<ExternalProcess> curls = new ArrayList<>();
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        curls.add(ExternalProcess.start("curl", Map.of(), "curl", "-sS", "-o", "/dev/null",
                                "-w", "RESULT %{http_code} %{size_download}\n", url));
                    }
                    Wait.until(Duration.ofMinutes(10), "50 downloads to finish",
                            () -> curls.stream().noneMatch(ExternalProcess::isAlive));
                    for (ExternalProcess c : curls) {
                        assertTrue(c.logText().contains("RESULT 200 " + SIZE), c.logText());
                    }
                } finally {
                    curls.forEach(ExternalProcess::close);
                }
                assertTrue(proxy.isAlive(), "binaryrepo died:\n" + PullScenarios.tail(proxy.logText()));
                String hex = digest.substring("sha256:".length());
                Path cached = work.resolve("cache/docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
                assertEquals(digest, sha256(cached), "the cached copy is the blob");
            }
        } finally {
            TempDirs.deleteRecursively(work);
        }
    }

    private static String writeRandom(Path file, long size) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(42);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), md)) {
            for (long n = 0; n < size; n += buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        buf[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                out.write(buf);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = new java.security.DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    /** Monolithic blob upload (OCI distribution spec: POST then PUT with the digest), streamed from the file. */
    private static void upload(String registry, String name, Path file, String digest) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(registry + "/v2/" + name + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, start.statusCode(), start.body());
        String location = start.headers().firstValue("Location").orElseThrow();
        URI put = URI.create(registry).resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(put).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, done.statusCode(), done.body());
    }
}
