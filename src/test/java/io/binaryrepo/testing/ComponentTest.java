package io.binaryrepo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plumbing of component tests: binaryrepo ({@link ProxyServer}) in front of in-process upstreams, an
 * injected clock, an HTTP client, and everything started closed after each test.
 */
public abstract class ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    protected Path tmp;

    protected final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    protected final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Closes {@code c} after the test (in reverse order of registration). */
    protected <T extends AutoCloseable> T closeAfter(T c) {
        toClose.add(c);
        return c;
    }

    protected FakeRegistry upstream(boolean tokenAuth) throws Exception {
        return closeAfter(FakeRegistry.start(tokenAuth));
    }

    /** binaryrepo with {@code yaml} as repositories file and {@code cacheDir} as cache root. */
    protected ProxyServer proxy(Path cacheDir, String yaml) throws Exception {
        return closeAfter(ProxyServer.start(cacheDir, yaml, clock));
    }

    protected HttpResponse<byte[]> get(ProxyServer p, String path, String... headers) throws Exception {
        return send(p, "GET", path, headers);
    }

    /** Sends {@code method} with header name/value pairs; the body is read whole. */
    protected HttpResponse<byte[]> send(ProxyServer p, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(p.url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Deterministic incompressible bytes. */
    protected static byte[] random(long size, long seed) {
        byte[] b = new byte[(int) size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** Where a committed Docker blob lives under {@code cache}. */
    protected static Path blobFile(Path cache, String digest) {
        String hex = digest.substring("sha256:".length());
        return cache.resolve("docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
    }

    /** The first OCI error code of a response body. */
    protected static String errorCode(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    /** No spool file is left (a failed download's thread deletes its file right after failing). */
    protected static void assertSpoolEmpty(Path cache) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Stream<Path> s = Files.list(cache.resolve(".spool"))) {
                long n = s.count();
                if (n == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    assertEquals(0, n, "spool files left behind");
                }
            }
            Thread.onSpinWait();
        }
    }
}
