package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Fault;
import io.binaryrepo.testing.FakeUpstream.Route;
import io.binaryrepo.testing.ProxyServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An npm repository in embedded Jetty in front of an in-process upstream registry. */
class NpmProxyTest extends ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

    private FakeUpstream upstream;
    private ProxyServer proxy;
    private Path cache;
    private NpmPackuments demo;

    @BeforeEach
    void start() throws Exception {
        upstream = EncodedSlashes.allow(closeAfter(FakeUpstream.start()));
        cache = tmp.resolve("cache");
        proxy = EncodedSlashes.allow(proxy(cache, "repositories:\n  - name: npm\n    type: npm\n    url: " + upstream.url()
                + "\n"));
        demo = new NpmPackuments("@s/demo", upstream.url()).version("1.0.0", random(5000, 1))
                .versionWithShasumOnly("1.1.0", random(3000, 2));
        publish(demo, "\"v1\"");
    }

    private void publish(NpmPackuments p, String etag) {
        upstream.put("/" + p.packumentPath(), Route.ok(p.bytes(), "application/json").withEtag(etag));
        for (String v : p.versions()) {
            upstream.put("/" + p.tarballPath(v), Route.ok(p.tarball(v), "application/octet-stream"));
        }
    }

    private String base() {
        return "/repo/npm/";
    }

    @Test
    void packument_fullAndAbbreviated_eachWithItsOwnTypeEtagAndVary() throws Exception {
        HttpResponse<byte[]> full = get(proxy, base() + "@s%2fdemo", "Accept", "application/json");
        HttpResponse<byte[]> corgi = get(proxy, base() + "@s%2fdemo", "Accept", CORGI);
        assertEquals(200, full.statusCode());
        assertEquals(200, corgi.statusCode());
        // (Jetty writes the type without the space before charset)
        assertEquals("application/json;charset=utf-8",
                full.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""));
        assertEquals("application/vnd.npm.install-v1+json;charset=utf-8",
                corgi.headers().firstValue("Content-Type").orElseThrow().replace(" ", ""));
        assertEquals("Accept", full.headers().firstValue("Vary").orElseThrow());
        assertEquals("Accept", corgi.headers().firstValue("Vary").orElseThrow());
        String fullTag = full.headers().firstValue("ETag").orElseThrow();
        String corgiTag = corgi.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(fullTag, corgiTag, "each representation has its own ETag (pnpm #14925)");
        assertNotEquals("\"v1\"", fullTag, "never upstream's ETag, which names upstream's bytes");
        JsonNode f = JSON.readTree(full.body());
        JsonNode c = JSON.readTree(corgi.body());
        assertEquals("top readme", f.get("readme").asText());
        assertNull(c.get("readme"), "the abbreviated document has no readme");
        assertEquals("2024-01-01T00:00:00.000Z", c.get("modified").asText());
        assertNull(c.at("/versions/1.0.0").get("readme"));
        String tarball = proxy.url() + "/repo/npm/@s/demo/-/demo-1.0.0.tgz";
        assertEquals(tarball, f.at("/versions/1.0.0/dist/tarball").asText());
        assertEquals(tarball, c.at("/versions/1.0.0/dist/tarball").asText());
        assertEquals(1, upstream.count("GET", "/@s%2fdemo"), "one upstream fetch serves both variants");
        assertEquals("application/json", upstream.requests().get(0).header("Accept"), "always the full document");
    }

    @Test
    void packument_ifNoneMatch_is304PerVariant() throws Exception {
        String fullTag = get(proxy, base() + "@s%2fdemo").headers().firstValue("ETag").orElseThrow();
        String corgiTag = get(proxy, base() + "@s%2fdemo", "Accept", CORGI).headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> r = get(proxy, base() + "@s%2fdemo", "If-None-Match", fullTag);
        assertEquals(304, r.statusCode());
        assertEquals(fullTag, r.headers().firstValue("ETag").orElseThrow());
        assertEquals("Accept", r.headers().firstValue("Vary").orElseThrow());
        assertEquals(0, r.body().length);
        assertEquals(304, get(proxy, base() + "@s%2fdemo", "Accept", CORGI, "If-None-Match", corgiTag).statusCode());
        assertEquals(200, get(proxy, base() + "@s%2fdemo", "Accept", CORGI, "If-None-Match", fullTag).statusCode(),
                "the full document's ETag does not validate the abbreviated one");
    }

    @Test
    void packument_everyScopeEncoding_isTheSameDocument() throws Exception {
        byte[] a = get(proxy, base() + "@s%2fdemo").body();
        assertArrayEquals(a, get(proxy, base() + "@s%2Fdemo").body());
        assertArrayEquals(a, get(proxy, base() + "@s/demo").body());
        assertEquals(1, upstream.count("GET", "/@s%2fdemo"));
    }

    @Test
    void packument_revalidatedAfterTtl_andStaleIfError() throws Exception {
        assertEquals(200, get(proxy, base() + "@s%2fdemo").statusCode());
        clock.advance(Duration.ofMinutes(6));
        assertEquals(200, get(proxy, base() + "@s%2fdemo").statusCode());
        List<FakeUpstream.Seen> seen = upstream.requests();
        assertEquals("\"v1\"", seen.get(seen.size() - 1).header("If-None-Match"), "a conditional revalidation");
        upstream.put("/@s%2fdemo", Route.ok(demo.bytes(), "application/json").withFault(Fault.FAIL_500));
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<byte[]> stale = get(proxy, base() + "@s%2fdemo");
        assertEquals(200, stale.statusCode(), "the cached copy when upstream fails");
        assertEquals("1.1.0", JSON.readTree(stale.body()).at("/dist-tags/latest").asText());
        assertEquals(3, upstream.count("GET", "/@s%2fdemo"));
    }

    @Test
    void packument_unknown_isNpmStyle404_andUpstreamDown502() throws Exception {
        HttpResponse<byte[]> r = get(proxy, base() + "nope");
        assertEquals(404, r.statusCode());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("nope"));
        upstream.put("/down", Route.status(503));
        HttpResponse<byte[]> d = get(proxy, base() + "down");
        assertEquals(502, d.statusCode(), "an upstream failure is never a 404");
        assertTrue(JSON.readTree(d.body()).has("error"));
    }

    @Test
    void tarball_verifiedCachedAndServedWithoutUpstream() throws Exception {
        HttpResponse<byte[]> r = get(proxy, base() + demo.tarballPath("1.0.0"));
        assertEquals(200, r.statusCode());
        assertArrayEquals(demo.tarball("1.0.0"), r.body());
        HttpResponse<byte[]> sha1 = get(proxy, base() + demo.tarballPath("1.1.0"));
        assertArrayEquals(demo.tarball("1.1.0"), sha1.body(), "verified against shasum when there is no integrity");
        int before = upstream.count();
        assertArrayEquals(demo.tarball("1.0.0"), get(proxy, base() + demo.tarballPath("1.0.0")).body());
        assertEquals(before, upstream.count(), "a cached tarball needs no upstream at all");
        assertTrue(Files.isRegularFile(cache.resolve("npm/npm/tarballs/_40s/demo/demo-1.0.0.tgz")));
    }

    @Test
    void tarball_corrupt_neverCommitted() throws Exception {
        upstream.put("/" + demo.tarballPath("1.0.0"),
                Route.ok(demo.tarball("1.0.0"), "application/octet-stream").withFault(Fault.CORRUPT));
        try {
            HttpResponse<byte[]> r = get(proxy, base() + demo.tarballPath("1.0.0"));
            assertFalse(r.statusCode() == 200 && java.util.Arrays.equals(r.body(), demo.tarball("1.0.0")));
        } catch (java.io.IOException expected) {
            // the connection is aborted: a corrupt body never ends like a complete one
        }
        assertFalse(Files.exists(cache.resolve("npm/npm/tarballs/_40s/demo/demo-1.0.0.tgz")));
        assertSpoolEmpty(cache);
        upstream.put("/" + demo.tarballPath("1.0.0"), Route.ok(demo.tarball("1.0.0"), "application/octet-stream"));
        assertArrayEquals(demo.tarball("1.0.0"), get(proxy, base() + demo.tarballPath("1.0.0")).body());
    }

    @Test
    void tarball_twentyConcurrentMisses_oneUpstreamGet() throws Exception {
        byte[] big = random(4 << 20, 3);
        NpmPackuments p = new NpmPackuments("big", upstream.url()).version("1.0.0", big);
        publish(p, "\"b1\"");
        upstream.put("/" + p.tarballPath("1.0.0"), Route.ok(big, "application/octet-stream").withFault(Fault.HOLD_HALF));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<byte[]>>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(pool.submit(() -> get(proxy, base() + p.tarballPath("1.0.0"))));
            }
            io.binaryrepo.e2e.Wait.until(Duration.ofSeconds(30), "the download started",
                    () -> upstream.count("GET", "/" + p.tarballPath("1.0.0")) >= 1);
            upstream.release();
            for (Future<HttpResponse<byte[]>> f : all) {
                assertArrayEquals(big, f.get().body());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, upstream.count("GET", "/" + p.tarballPath("1.0.0")));
    }

    @Test
    void tarball_ofVersionPublishedAfterCaching_refetchesThePackumentOnce() throws Exception {
        assertEquals(200, get(proxy, base() + "@s%2fdemo").statusCode());
        demo.version("2.0.0", random(2000, 4));
        publish(demo, "\"v2\"");
        clock.advance(Duration.ofSeconds(30)); // well within metadataTtl (5 min)
        HttpResponse<byte[]> r = get(proxy, base() + demo.tarballPath("2.0.0"));
        assertEquals(200, r.statusCode());
        assertArrayEquals(demo.tarball("2.0.0"), r.body());
        assertEquals(2, upstream.count("GET", "/@s%2fdemo"));
        assertEquals(404, get(proxy, base() + demo.tarballPath("9.9.9")).statusCode());
        assertEquals(2, upstream.count("GET", "/@s%2fdemo"), "a just-refetched packument is not asked again");
        assertEquals("2.0.0", JSON.readTree(get(proxy, base() + "@s/demo/2.0.0").body()).get("version").asText());
    }

    @Test
    void tarball_foreignHost_isNeitherRewrittenNorFetched() throws Exception {
        String doc = demo.json().replace(upstream.url() + "/@s/demo/-/demo-1.0.0.tgz",
                "http://elsewhere.invalid/demo-1.0.0.tgz");
        upstream.put("/@s%2fdemo", Route.ok(doc, "application/json"));
        JsonNode f = JSON.readTree(get(proxy, base() + "@s%2fdemo").body());
        assertEquals("http://elsewhere.invalid/demo-1.0.0.tgz", f.at("/versions/1.0.0/dist/tarball").asText());
        assertEquals(404, get(proxy, base() + demo.tarballPath("1.0.0")).statusCode());
        assertEquals(0, upstream.count("GET", "/" + demo.tarballPath("1.0.0")));
    }

    @Test
    void audit_forwardedWithBodyAndWithoutClientAuthorization() throws Exception {
        upstream.put("/-/npm/v1/security/advisories/bulk", Route.ok("{\"lodash\":[{\"id\":1}]}", "application/json"));
        HttpResponse<byte[]> r = post("/-/npm/v1/security/advisories/bulk", "{\"lodash\":[\"4.17.0\"]}",
                "Authorization", "Bearer client-secret-token");
        assertEquals(200, r.statusCode());
        assertEquals("{\"lodash\":[{\"id\":1}]}", new String(r.body()));
        FakeUpstream.Seen seen = upstream.requests().get(upstream.requests().size() - 1);
        assertEquals("POST", seen.method());
        assertEquals("{\"lodash\":[\"4.17.0\"]}", new String(seen.body()));
        assertNull(seen.header("Authorization"), "the client's Authorization never goes upstream");
        post("/-/npm/v1/security/advisories/bulk", "{}");
        assertEquals(2, upstream.count("POST", "/-/npm/v1/security/advisories/bulk"), "never cached");
    }

    @Test
    void audit_upstreamFails_is502NeverAnEmptyAnswer() throws Exception {
        upstream.put("/-/npm/v1/security/audits/quick", Route.status(500));
        HttpResponse<byte[]> r = post("/-/npm/v1/security/audits/quick", "{}");
        assertEquals(502, r.statusCode());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("npm audit"));
        upstream.stop();
        assertEquals(502, post("/-/npm/v1/security/advisories/bulk", "{}").statusCode());
    }

    @Test
    void audit_bodyOverTheCap_is413() throws Exception {
        HttpResponse<byte[]> r = post("/-/npm/v1/security/advisories/bulk", "x".repeat(Audit.MAX_BODY + 1));
        assertEquals(413, r.statusCode());
        assertEquals(0, upstream.count("POST", "/-/npm/v1/security/advisories/bulk"));
    }

    @Test
    void writes_are405WithNpmError() throws Exception {
        HttpResponse<byte[]> put = send(proxy, "PUT", base() + "@s%2fdemo");
        assertEquals(405, put.statusCode());
        assertTrue(JSON.readTree(put.body()).has("error"));
        HttpResponse<byte[]> post = post("/@s%2fdemo", "{}");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertTrue(JSON.readTree(post.body()).get("error").asText().contains("read-only"));
        assertEquals(405, get(proxy, base() + "-/npm/v1/security/advisories/bulk").statusCode());
    }

    @Test
    void ping_andSearch() throws Exception {
        HttpResponse<byte[]> ping = get(proxy, base() + "-/ping");
        assertEquals(200, ping.statusCode());
        assertEquals("{}", new String(ping.body()));
        upstream.put("/-/v1/search?text=demo&size=20", Route.ok("{\"objects\":[],\"total\":0}", "application/json"));
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> s = get(proxy, base() + "-/v1/search?text=demo&size=20", "User-Agent", "npm/11.0.0");
            assertEquals(200, s.statusCode());
            assertEquals(0, JSON.readTree(s.body()).get("total").asInt());
        }
        assertEquals(1, upstream.count("GET", "/-/v1/search?text=demo&size=20"), "kept for a minute");
        assertTrue(upstream.requests().get(upstream.requests().size() - 1).header("User-Agent").contains("npm"));
        clock.advance(Duration.ofMinutes(2));
        get(proxy, base() + "-/v1/search?text=demo&size=20");
        assertEquals(2, upstream.count("GET", "/-/v1/search?text=demo&size=20"));
    }

    @Test
    void malformedNames_are400WithNpmError() throws Exception {
        HttpResponse<byte[]> r = get(proxy, base() + "..%2f..%2fetc");
        assertEquals(400, r.statusCode());
        assertTrue(JSON.readTree(r.body()).get("error").asText().contains("%2f"));
        assertEquals(0, upstream.count());
    }

    private HttpResponse<byte[]> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.url() + base() + path.substring(1)))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
