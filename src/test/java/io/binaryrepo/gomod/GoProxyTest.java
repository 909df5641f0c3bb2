package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import io.binaryrepo.testing.ProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Go repository as the go command sees it: binaryrepo's servlet in embedded Jetty in front of an
 * in-process module proxy ({@link FakeGoProxy}) that counts requests, with a clock the test moves
 * ({@code metadataTtl: 5m}, so negative answers live 1 minute).
 */
class GoProxyTest {
    private static final String MOD = "/example.com/!upper/lib";
    private static final String INFO = "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-02T03:04:05Z\"}";

    @TempDir
    Path tmp;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private FakeGoProxy up;
    private ProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        up = FakeGoProxy.start();
        toClose.add(up);
        proxy = ProxyServer.start(tmp.resolve("cache"), "repositories:\n  - name: go\n    type: go\n    url: " + up.url()
                // the checksum database check has its own test (ModuleVerificationTest); these count requests
                + "\n    metadataTtl: 5m\n    readTimeout: 5s\n    sumdb: off\n", clock);
        toClose.add(proxy);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    private HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url() + "/repo/go" + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void versionList_isServedFromTheCacheWithinTheTtl_thenRevalidatedWithItsEtag() throws Exception {
        up.put(MOD + "/@v/list", "v1.0.0\nv1.1.0\n");
        assertEquals("v1.0.0\nv1.1.0\n", text(get(MOD + "/@v/list")));
        clock.advance(Duration.ofMinutes(4));
        assertEquals("v1.0.0\nv1.1.0\n", text(get(MOD + "/@v/list")));
        assertEquals(1, up.count(MOD + "/@v/list"));

        clock.advance(Duration.ofMinutes(2));
        HttpResponse<byte[]> r = get(MOD + "/@v/list");
        assertEquals(200, r.statusCode());
        assertEquals("v1.0.0\nv1.1.0\n", text(r));
        assertEquals(2, up.count(MOD + "/@v/list"));
        // The revalidation was conditional (and upstream answered 304).
        assertTrue(up.requests().get(1).ifNoneMatch() != null, up.requests().toString());
        assertEquals("text/plain;charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""));
    }

    @Test
    void versionList_changedUpstream_isSeenAfterTheTtl() throws Exception {
        up.put(MOD + "/@v/list", "v1.0.0\n");
        assertEquals("v1.0.0\n", text(get(MOD + "/@v/list")));
        up.put(MOD + "/@v/list", "v1.0.0\nv1.1.0\n");
        assertEquals("v1.0.0\n", text(get(MOD + "/@v/list")));
        clock.advance(Duration.ofMinutes(6));
        assertEquals("v1.0.0\nv1.1.0\n", text(get(MOD + "/@v/list")));
    }

    @Test
    void mutableDocuments_areServedStaleWhenUpstreamIsDown() throws Exception {
        String[] paths = {MOD + "/@v/list", MOD + "/@latest", MOD + "/@v/master.info", "/sumdb/sum.test/latest",
            "/sumdb/sum.test/tile/8/0/000.p/3"};
        up.put(MOD + "/@v/list", "v1.0.0\n");
        up.put(MOD + "/@latest", INFO);
        up.put(MOD + "/@v/master.info", INFO);
        up.put("/sumdb/sum.test/latest", "go.sum database tree\n3\nabc=\n\n— sum.test sig\n");
        up.put("/sumdb/sum.test/tile/8/0/000.p/3", new byte[96]);
        List<String> bodies = new ArrayList<>();
        for (String p : paths) {
            HttpResponse<byte[]> r = get(p);
            assertEquals(200, r.statusCode(), p);
            bodies.add(text(r));
        }
        up.stop();
        clock.advance(Duration.ofHours(2));
        for (int i = 0; i < paths.length; i++) {
            HttpResponse<byte[]> r = get(paths[i]);
            assertEquals(200, r.statusCode(), paths[i]);
            assertEquals(bodies.get(i), text(r), paths[i]);
        }
        // Nothing cached: upstream's failure shows, as a status the go command treats as fatal.
        assertEquals(502, get("/example.com/other/@v/list").statusCode());
    }

    @Test
    void immutableDocuments_areNeverAskedForAgain() throws Exception {
        String[] paths = {MOD + "/@v/v1.0.0.info", "/sumdb/sum.test/lookup/example.com/!upper/lib@v1.0.0",
            "/sumdb/sum.test/tile/8/0/000", "/sumdb/sum.test/tile/8/data/000"};
        up.put(paths[0], INFO);
        up.put(paths[1], "7\nexample.com/Upper/lib v1.0.0 h1:x=\n\ngo.sum database tree\n");
        up.put(paths[2], new byte[256 * 32]);
        up.put(paths[3], "record data\n");
        for (String p : paths) {
            HttpResponse<byte[]> r = get(p);
            assertEquals(200, r.statusCode(), p);
            assertEquals("public, max-age=31536000, immutable", r.headers().firstValue("Cache-Control").orElseThrow(), p);
        }
        clock.advance(Duration.ofDays(400));
        for (String p : paths) {
            assertEquals(200, get(p).statusCode(), p);
            assertEquals(1, up.count(p), p);
        }
    }

    @Test
    void upstreamNotFound_isPassedOnAs404Or410_andRememberedForAMinute() throws Exception {
        up.status("/example.com/@v/list", 404);
        up.status("/example.com/@v/v1.0.0.info", 410);
        HttpResponse<byte[]> r = get("/example.com/@v/list");
        assertEquals(404, r.statusCode());
        assertTrue(text(r).contains("not found"), text(r));
        assertEquals(410, get("/example.com/@v/v1.0.0.info").statusCode());

        clock.advance(Duration.ofSeconds(50));
        assertEquals(404, get("/example.com/@v/list").statusCode());
        assertEquals(410, get("/example.com/@v/v1.0.0.info").statusCode());
        assertEquals(1, up.count("/example.com/@v/list"));
        assertEquals(1, up.count("/example.com/@v/v1.0.0.info"));

        // After the negative TTL upstream is asked again, and a module published meanwhile is found.
        up.put("/example.com/@v/list", "v1.0.0\n");
        clock.advance(Duration.ofSeconds(20));
        assertEquals(200, get("/example.com/@v/list").statusCode());
        assertEquals(2, up.count("/example.com/@v/list"));
    }

    @Test
    void modAndZipNotFound_arePassedOnAs404And410() throws Exception {
        up.status(MOD + "/@v/v1.0.0.mod", 404);
        up.status(MOD + "/@v/v1.0.0.zip", 410);
        assertEquals(404, get(MOD + "/@v/v1.0.0.mod").statusCode());
        assertEquals(410, get(MOD + "/@v/v1.0.0.zip").statusCode());
        assertEquals(410, send("HEAD", MOD + "/@v/v1.0.0.zip").statusCode());
    }

    @Test
    void upstreamServerError_is502_andDenied_is403() throws Exception {
        up.status(MOD + "/@v/list", 500);
        up.status(MOD + "/@v/v1.0.0.zip", 503);
        up.status("/example.com/private/@v/list", 403);
        assertEquals(502, get(MOD + "/@v/list").statusCode());
        assertEquals(502, get(MOD + "/@v/v1.0.0.zip").statusCode());
        assertEquals(403, get("/example.com/private/@v/list").statusCode());
        // Failures are not cached: the next request asks again.
        assertEquals(502, get(MOD + "/@v/list").statusCode());
        assertEquals(2, up.count(MOD + "/@v/list"));
    }

    @Test
    void zip_isDownloadedOnce_andServedWithRangesFromTheCache() throws Exception {
        byte[] zip = new byte[200_000];
        new Random(1).nextBytes(zip);
        up.put(MOD + "/@v/v1.0.0.zip", zip);
        HttpResponse<byte[]> r = get(MOD + "/@v/v1.0.0.zip");
        assertEquals(200, r.statusCode());
        assertArrayEquals(zip, r.body());
        assertEquals("application/zip", r.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<byte[]> part = get(MOD + "/@v/v1.0.0.zip", "Range", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(zip, 100, 200), part.body());
        assertEquals(200, send("HEAD", MOD + "/@v/v1.0.0.zip").statusCode());
        assertEquals(1, up.count(MOD + "/@v/v1.0.0.zip"));
        // Kept under the escaped module path, its '!' encoded for the storage key grammar.
        assertArrayEquals(zip, Files.readAllBytes(tmp.resolve("cache/go/go/mod/example.com/_21upper/lib/_v/v1.0.0.zip")));
    }

    @Test
    void headOfAnUncachedZip_asksUpstreamWithHead_andDownloadsNothing() throws Exception {
        up.put(MOD + "/@v/v1.0.0.zip", new byte[1234]);
        HttpResponse<byte[]> r = send("HEAD", MOD + "/@v/v1.0.0.zip");
        assertEquals(200, r.statusCode());
        assertEquals("1234", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(List.of("HEAD"), up.requests().stream().map(FakeGoProxy.Seen::method).toList());
        assertFalse(Files.exists(tmp.resolve("cache/go/go/mod/example.com/_21upper/lib/_v/v1.0.0.zip")));
    }

    @Test
    void percentEncodedBang_reachesUpstreamAsBang_andSharesTheCacheEntryWithARawBang() throws Exception {
        up.put(MOD + "/@v/v1.0.0.mod", "module example.com/Upper/lib\n");
        HttpResponse<byte[]> encoded = get("/example.com/%21upper/lib/@v/v1.0.0.mod");
        assertEquals(200, encoded.statusCode());
        assertEquals("module example.com/Upper/lib\n", text(encoded));
        HttpResponse<byte[]> raw = get("/example.com/!upper/lib/@v/v1.0.0.mod");
        assertEquals(200, raw.statusCode());
        assertEquals(1, up.count(MOD + "/@v/v1.0.0.mod"));
        assertEquals(1, up.requests().size(), up.requests().toString());
    }

    @Test
    void immutableInfoNamingAnotherVersion_isRefusedAndNotCached() throws Exception {
        up.put(MOD + "/@v/v1.0.0.info", "{\"Version\":\"v1.0.1\"}");
        assertEquals(502, get(MOD + "/@v/v1.0.0.info").statusCode());
        up.put(MOD + "/@v/v1.0.0.info", INFO);
        HttpResponse<byte[]> r = get(MOD + "/@v/v1.0.0.info");
        assertEquals(200, r.statusCode());
        assertEquals(INFO, text(r));
    }

    @Test
    void truncatedHashTile_isRefusedAndNotCached() throws Exception {
        up.put("/sumdb/sum.test/tile/8/0/000", new byte[100]);
        assertEquals(502, get("/sumdb/sum.test/tile/8/0/000").statusCode());
        up.put("/sumdb/sum.test/tile/8/0/000", new byte[8192]);
        assertEquals(8192, get("/sumdb/sum.test/tile/8/0/000").body().length);
    }

    @Test
    void sumdbSupported_isAnsweredWithoutUpstream() throws Exception {
        HttpResponse<byte[]> r = get("/sumdb/sum.golang.org/supported");
        assertEquals(200, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(200, send("HEAD", "/sumdb/sum.test.example/supported").statusCode());
        assertEquals(List.of(), up.requests());
    }

    @Test
    void malformedPaths_are400_andReachNeitherUpstreamNorTheDisk() throws Exception {
        // Jetty itself refuses encoded dot segments and slashes, before binaryrepo sees them.
        assertEquals(400, get("/example.com/%2e%2e/%2e%2e/@v/list").statusCode());
        assertEquals(400, get("/example.com%2Fx/@v/list").statusCode());
        for (String p : List.of("/example.com/Upper/@v/list", "/example.com/x%2Dy/@v/list", "/example.com/x/@v/..info", "/Example.com/@v/list", "/example/@v/list",
                "/example.com/x/@v/v1.0.0%2Binfo", "/sumdb/sum.test/lookup/example.com/x@master",
                "/sumdb/sum.test/tile/8/0/x000/001")) {
            HttpResponse<byte[]> r = get(p);
            assertEquals(400, r.statusCode(), p);
            assertEquals("text/plain;charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""), p);
        }
        assertEquals(404, get("/example.com/x").statusCode());
        assertEquals(List.of(), up.requests());
        try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).filter(f -> !f.toString().contains(".spool")).toList());
        }
    }

    @Test
    void writes_are405() throws Exception {
        HttpResponse<byte[]> r = send("PUT", MOD + "/@v/v1.0.0.zip");
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
        assertEquals(List.of(), up.requests());
    }
}
