package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Fault;
import io.binaryrepo.testing.FakeUpstream.Route;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Maven repository as {@code mvn} sees it: binaryrepo's servlet in embedded Jetty in front of
 * {@link FakeUpstream} (the repository URL has a path, {@code /maven2}, like Central's), with a clock the test
 * moves ({@code metadataTtl: 5m}, so "not found" lives 1 minute).
 */
class MavenProxyTest extends ComponentTest {
    static final String JAR = "org/example/lib/1.0/lib-1.0.jar";
    static final String METADATA = "org/example/lib/maven-metadata.xml";
    static final String UP = "/maven2/";

    FakeUpstream up;
    ProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        up = closeAfter(FakeUpstream.start());
        proxy = proxy(tmp.resolve("cache"), "repositories:\n  - name: maven-central\n    type: maven\n    url: "
                + up.url() + "/maven2\n    metadataTtl: 5m\n    readTimeout: 2s\n");
    }

    HttpResponse<byte[]> mvn(String path, String... headers) throws Exception {
        return get(proxy, "/repo/maven-central/" + path, headers);
    }

    static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    Path cached(String path) {
        return tmp.resolve("cache/maven/maven-central/" + MavenPath.parse(path).key());
    }

    byte[] publish(String path, long size, long seed) throws Exception {
        byte[] body = random(size, seed);
        up.put(UP + path, Route.ok(body, "application/java-archive"));
        up.put(UP + path + ".sha1", Route.ok(sha1(body), "text/plain"));
        return body;
    }

    @Test
    void artifact_missThenHit_verifiedAgainstSidecar_servedWithChecksumHeader() throws Exception {
        byte[] jar = publish(JAR, 100_000, 1);
        HttpResponse<byte[]> first = mvn(JAR);
        assertEquals(200, first.statusCode());
        assertArrayEquals(jar, first.body());
        // the miss too: the checksum is known (and verified) before the first byte goes out
        assertEquals(sha1(jar), first.headers().firstValue("X-Checksum-Sha1").orElse("none on the miss"));
        assertEquals(1, up.count("GET", UP + JAR + ".sha1"), "no checksum header: the sidecar is asked");
        assertTrue(Files.isRegularFile(cached(JAR)));

        HttpResponse<byte[]> hit = mvn(JAR, "Cache-Control", "no-cache", "Pragma", "no-cache");
        assertArrayEquals(jar, hit.body());
        assertEquals(sha1(jar), hit.headers().firstValue("X-Checksum-Sha1").orElseThrow());
        assertEquals("application/java-archive", hit.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(1, up.count("GET", UP + JAR), "Maven's no-cache is ignored for an immutable artifact");
    }

    @Test
    void checksumFiles_ofCachedArtifact_areComputedFromTheServedBytes() throws Exception {
        byte[] jar = publish(JAR, 5000, 2);
        up.put(UP + JAR + ".sha1", Route.ok(sha1(jar).toUpperCase() + "  lib-1.0.jar\n", "text/plain"));
        up.put(UP + JAR + ".md5", Route.ok("garbage that is not a checksum", "text/plain"));
        assertEquals(200, mvn(JAR).statusCode());
        int before = up.count();
        assertEquals(sha1(jar), text(mvn(JAR + ".sha1")), "bare lowercase hex, not upstream's sha1sum line");
        assertEquals(md5(jar), text(mvn(JAR + ".md5")), "computed, not upstream's broken file");
        assertEquals(before, up.count(), "answered from the cache");
    }

    @Test
    void checksumFile_ofUncachedArtifact_isUpstreamsNormalised() throws Exception {
        byte[] jar = publish(JAR, 5000, 3);
        up.put(UP + JAR + ".sha1", Route.ok(sha1(jar) + "  lib-1.0.jar\n", "text/plain"));
        HttpResponse<byte[]> r = mvn(JAR + ".sha1");
        assertEquals(200, r.statusCode());
        assertEquals(sha1(jar), text(r));
        assertFalse(Files.exists(cached(JAR)), "the artifact is not fetched for its checksum");
        assertEquals(404, mvn(JAR + ".sha512").statusCode());
    }

    @Test
    void sha1sumFormatSidecar_isParsed_andTheArtifactCommitted() throws Exception {
        byte[] jar = publish(JAR, 70_000, 4);
        up.put(UP + JAR + ".sha1", Route.ok(sha1(jar) + " *lib-1.0.jar\n", "text/plain"));
        assertArrayEquals(jar, mvn(JAR).body());
        assertTrue(Files.isRegularFile(cached(JAR)));
    }

    @Test
    void sidecarMismatch_isNeverCommitted_andAnswers502() throws Exception {
        byte[] jar = publish(JAR, 70_000, 5);
        up.put(UP + JAR + ".sha1", Route.ok(sha1(random(10, 99)), "text/plain"));
        assert502(JAR);
        assertFalse(Files.exists(cached(JAR)), "a mismatch is never committed");
        assert502(JAR);
        assertEquals(2, up.count("GET", UP + JAR), "nothing cached: the next request asks upstream again");
        assertSpoolEmpty(tmp.resolve("cache"));
        up.put(UP + JAR + ".sha1", Route.ok(sha1(jar), "text/plain"));
        assertArrayEquals(jar, mvn(JAR).body(), "once upstream is consistent again the artifact is served");
    }

    @Test
    void headerChecksum_winsOverTheSidecar_andNoSidecarIsAsked() throws Exception {
        byte[] jar = random(60_000, 6);
        up.put(UP + JAR, Route.ok(jar, "application/java-archive").withHeader("X-Checksum-Sha1", sha1(random(5, 7)))
                .withHeader("X-Checksum-Md5", md5(jar)));
        up.put(UP + JAR + ".sha1", Route.ok(sha1(jar), "text/plain"));
        assert502(JAR);
        assertFalse(Files.exists(cached(JAR)), "verified against the header (the strongest: sha1), not the sidecar");
        assertEquals(0, up.count("GET", UP + JAR + ".sha1"));

        up.put(UP + JAR, Route.ok(jar, "application/java-archive").withHeader("X-Checksum-Sha1", sha1(jar)));
        HttpResponse<byte[]> miss = mvn(JAR);
        assertArrayEquals(jar, miss.body());
        assertEquals(sha1(jar), miss.headers().firstValue("X-Checksum-Sha1").orElse("none on the miss"));
        assertTrue(Files.isRegularFile(cached(JAR)));
        assertEquals(0, up.count("GET", UP + JAR + ".sha1"));
    }

    @Test
    void missingChecksum_isTolerated_lengthChecked() throws Exception {
        byte[] jar = random(30_000, 8);
        up.put(UP + JAR, Route.ok(jar, "application/java-archive"));
        HttpResponse<byte[]> miss = mvn(JAR);
        assertArrayEquals(jar, miss.body());
        assertTrue(miss.headers().firstValue("X-Checksum-Sha1").isEmpty(), "no checksum claimed that was not checked");
        assertTrue(Files.isRegularFile(cached(JAR)));
        assertEquals(sha1(jar), text(mvn(JAR + ".sha1")));
    }

    @Test
    void truncatedDownload_isNeverCommitted() throws Exception {
        byte[] jar = publish(JAR, 200_000, 9);
        up.put(UP + JAR, Route.ok(jar, "application/java-archive").withFault(Fault.TRUNCATE));
        assert502(JAR);
        assertFalse(Files.exists(cached(JAR)));
    }

    @Test
    void htmlPage_forAJar_isRefusedWith502_andNotCached() throws Exception {
        up.put(UP + JAR, Route.ok("<html><body>Please log in</body></html>", "text/html; charset=utf-8"));
        HttpResponse<byte[]> r = mvn(JAR);
        assertEquals(502, r.statusCode());
        assertTrue(text(r).contains("HTML"), text(r));
        assertFalse(Files.exists(cached(JAR)));
        byte[] jar = publish(JAR, 1000, 10);
        assertArrayEquals(jar, mvn(JAR).body(), "a refused answer is not remembered");
    }

    @Test
    void htmlPage_forMetadata_isRefused_andTheCachedCopyServed() throws Exception {
        String v1 = metadata("1.0");
        up.put(UP + METADATA, Route.ok(v1, "text/xml"));
        assertEquals(v1, text(mvn(METADATA)));
        up.put(UP + METADATA, Route.ok("<html>proxy error</html>", "text/html"));
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<byte[]> r = mvn(METADATA);
        assertEquals(200, r.statusCode());
        assertEquals(v1, text(r), "stale copy instead of the HTML page");
    }

    @Test
    void notFound_isCachedBriefly_thenAskedAgain() throws Exception {
        assertEquals(404, mvn(JAR).statusCode());
        assertEquals(404, mvn(JAR).statusCode());
        assertEquals(1, up.count("GET", UP + JAR), "the second 404 came from the negative cache");
        byte[] jar = publish(JAR, 1000, 11);
        clock.advance(Duration.ofSeconds(59));
        assertEquals(404, mvn(JAR).statusCode());
        clock.advance(Duration.ofSeconds(2));
        assertArrayEquals(jar, mvn(JAR).body(), "after a minute upstream is asked again");
    }

    @Test
    void serverError_isA502_neverA404_andNeverCached() throws Exception {
        up.put(UP + JAR, Route.status(503));
        HttpResponse<byte[]> r = mvn(JAR);
        assertEquals(502, r.statusCode());
        byte[] jar = publish(JAR, 1000, 12);
        assertArrayEquals(jar, mvn(JAR).body(), "the failure was not remembered");
        up.put(UP + METADATA, Route.status(500));
        assertEquals(502, mvn(METADATA).statusCode());
    }

    @Test
    void rateLimit_is429WithRetryAfter() throws Exception {
        up.put(UP + JAR, Route.status(200).withFault(Fault.RATE_LIMIT_429));
        HttpResponse<byte[]> r = mvn(JAR);
        assertEquals(429, r.statusCode());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void unreachableUpstream_is502_andSilentUpstream_is504() throws Exception {
        up.put(UP + JAR, Route.ok(random(10, 1), "application/java-archive").withFault(Fault.STALL));
        assertEquals(504, mvn(JAR).statusCode());
        up.release();
        up.stop();
        HttpResponse<byte[]> r = mvn("org/example/other/1.0/other-1.0.pom");
        assertEquals(502, r.statusCode(), text(r));
    }

    @Test
    void concurrentMisses_makeOneUpstreamGet() throws Exception {
        byte[] jar = random(500_000, 13);
        up.put(UP + JAR, Route.ok(jar, "application/java-archive").withFault(Fault.HOLD_HALF));
        up.put(UP + JAR + ".sha1", Route.ok(sha1(jar), "text/plain"));
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            clients.add(client.sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(proxy.url() + "/repo/maven-central/" + JAR)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        io.binaryrepo.e2e.Wait.until(Duration.ofSeconds(20), "the download to start", () -> up.count("GET", UP + JAR) == 1);
        up.release();
        for (var c : clients) {
            assertArrayEquals(jar, c.get().body());
        }
        assertEquals(1, up.count("GET", UP + JAR));
        assertEquals(1, up.count("GET", UP + JAR + ".sha1"));
    }

    @Test
    void metadata_servedWithinTtl_thenRevalidated_withChecksumsOfTheServedBytes() throws Exception {
        String v1 = metadata("1.0");
        up.put(UP + METADATA, Route.ok(v1, "text/xml").withEtag("\"v1\""));
        HttpResponse<byte[]> r = mvn(METADATA, "Cache-Control", "no-cache");
        assertEquals(v1, text(r));
        assertEquals(sha1(r.body()), r.headers().firstValue("X-Checksum-Sha1").orElseThrow());
        assertEquals(sha1(r.body()), text(mvn(METADATA + ".sha1")));
        assertEquals(md5(r.body()), text(mvn(METADATA + ".md5")));
        assertEquals(1, up.count(), "within the TTL: one upstream request for metadata and checksums");

        clock.advance(Duration.ofMinutes(6));
        assertEquals(v1, text(mvn(METADATA)));
        assertEquals(2, up.count("GET", UP + METADATA));
        assertEquals("\"v1\"", up.requests().get(1).header("If-None-Match"), "revalidated conditionally");

        String v2 = metadata("2.0");
        up.put(UP + METADATA, Route.ok(v2, "text/xml").withEtag("\"v2\""));
        clock.advance(Duration.ofMinutes(6));
        assertEquals(v2, text(mvn(METADATA)));
        assertEquals(sha1(v2.getBytes(StandardCharsets.UTF_8)), text(mvn(METADATA + ".sha1")), "the checksum follows");
        assertEquals(0, up.count("GET", UP + METADATA + ".sha1"), "upstream's metadata checksums are never used");
    }

    @Test
    void metadata_staleIfError() throws Exception {
        String v1 = metadata("1.0");
        up.put(UP + METADATA, Route.ok(v1, "text/xml"));
        assertEquals(v1, text(mvn(METADATA)));
        up.put(UP + METADATA, Route.status(503));
        clock.advance(Duration.ofMinutes(6));
        assertEquals(v1, text(mvn(METADATA)));
        up.stop();
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<byte[]> r = mvn(METADATA);
        assertEquals(200, r.statusCode());
        assertEquals(v1, text(r));
    }

    @Test
    void metadata_notFound_isCachedBriefly() throws Exception {
        assertEquals(404, mvn(METADATA).statusCode());
        assertEquals(404, mvn(METADATA + ".sha1").statusCode());
        assertEquals(1, up.count());
        up.put(UP + METADATA, Route.ok(metadata("1.0"), "text/xml"));
        clock.advance(Duration.ofSeconds(61));
        assertEquals(200, mvn(METADATA).statusCode());
    }

    @Test
    void metadata_notMatchingItsChecksumHeader_orNotMetadata_isRefused() throws Exception {
        up.put(UP + METADATA, Route.ok(metadata("1.0"), "text/xml").withHeader("X-Checksum-Sha1", sha1(random(3, 3))));
        assertEquals(502, mvn(METADATA).statusCode());
        up.put(UP + METADATA, Route.ok("{\"not\":\"xml\"}", "text/xml"));
        assertEquals(502, mvn(METADATA).statusCode());
    }

    @Test
    void listing_isPassedThrough_neverStored() throws Exception {
        up.put(UP + "org/example/", Route.ok("<html><a href=\"lib/\">lib/</a></html>", "text/html"));
        HttpResponse<byte[]> r = mvn("org/example/");
        assertEquals(200, r.statusCode());
        assertTrue(text(r).contains("lib/"));
        assertEquals("sandbox", r.headers().firstValue("Content-Security-Policy").orElseThrow());
        mvn("org/example/");
        assertEquals(2, up.count("GET", UP + "org/example/"));
        try (var files = Files.walk(tmp.resolve("cache"))) {
            assertTrue(files.noneMatch(p -> p.toString().contains("/l/")), "no listing in the cache");
        }
    }

    @Test
    void put_is405_andBadPaths_are400() throws Exception {
        HttpResponse<byte[]> put = send(proxy, "PUT", "/repo/maven-central/" + JAR);
        assertEquals(405, put.statusCode());
        assertEquals("GET, HEAD", put.headers().firstValue("Allow").orElseThrow());
        HttpResponse<byte[]> bad = mvn("org/example/lib/1.0/.hidden");
        assertEquals(400, bad.statusCode());
        assertTrue(text(bad).contains("invalid path segment '.hidden'"), text(bad));
        assertEquals(0, up.count());
    }

    @Test
    void head_ofUncachedArtifact_asksUpstreamWithHead_andDownloadsNothing() throws Exception {
        byte[] jar = publish(JAR, 4000, 14);
        HttpResponse<byte[]> r = send(proxy, "HEAD", "/repo/maven-central/" + JAR);
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(jar.length), r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(0, up.count("GET", UP + JAR));
        assertFalse(Files.exists(cached(JAR)));
    }

    @Test
    void timestampedSnapshot_isImmutable_nonUniqueSnapshot_isRevalidated() throws Exception {
        String ts = "org/example/lib/1.1-SNAPSHOT/lib-1.1-20240102.030405-3.jar";
        byte[] jar = publish(ts, 2000, 15);
        assertArrayEquals(jar, mvn(ts).body());
        clock.advance(Duration.ofDays(30));
        assertArrayEquals(jar, mvn(ts).body());
        assertEquals(1, up.count("GET", UP + ts));

        String plain = "org/example/lib/1.1-SNAPSHOT/lib-1.1-SNAPSHOT.jar";
        byte[] first = publish(plain, 2000, 16);
        assertArrayEquals(first, mvn(plain).body());
        byte[] second = publish(plain, 2000, 17);
        clock.advance(Duration.ofMinutes(6));
        assertArrayEquals(second, mvn(plain).body(), "replaced upstream, revalidated after the TTL");
        assertEquals(sha1(second), text(mvn(plain + ".sha1")));
    }

    /** The transfer fails: aborted (headers were out before the mismatch was known) or a 5xx. */
    /** The artifact failed verification before anything was sent: a 502 Maven retries, not a cut-off body. */
    void assert502(String path) throws Exception {
        HttpResponse<byte[]> r = mvn(path);
        assertEquals(502, r.statusCode(), text(r));
    }

    void assertDownloadFails(String path) throws Exception {
        HttpResponse<byte[]> r;
        try {
            r = mvn(path);
        } catch (IOException e) {
            return;
        }
        assertTrue(r.statusCode() >= 500, "status " + r.statusCode() + " for " + path);
    }

    static String metadata(String version) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n  <groupId>org.example</groupId>\n"
                + "  <artifactId>lib</artifactId>\n  <versioning>\n    <latest>" + version + "</latest>\n"
                + "    <release>" + version + "</release>\n    <versions>\n      <version>" + version
                + "</version>\n    </versions>\n  </versioning>\n</metadata>\n";
    }
}
