package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.binaryrepo.helm.ChartServer.Origin;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A Helm repository through binaryrepo as a client sees it: the servlet in embedded Jetty in front of an
 * in-process chart repository whose index points at a second origin (a release download site).
 */
class HelmProxyTest extends ComponentTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ChartServer upstream() throws Exception {
        return closeAfter(ChartServer.start());
    }

    private ProxyServer proxyFor(ChartServer up, String extra) throws Exception {
        return proxy(tmp.resolve("cache"), config(up, extra));
    }

    private static String config(ChartServer up, String extra) {
        return "repositories:\n  - name: helm\n    type: helm\n    url: " + up.repoUrl()
                + "\n    metadataTtl: 5m\n    readTimeout: 2s\n"
                // the release origin is another port of 127.0.0.1: loopback, so it must be allowed (issue 17)
                + "    allowedHosts: [\"" + up.releasesHost() + "\"]\n" + extra;
    }

    /** Publishes chart {@code name-version} on the releases origin; returns its bytes. */
    private static byte[] release(ChartServer up, String name, String version) {
        byte[] tgz = TestCharts.chart(name, version);
        up.put(Origin.RELEASES, releasePath(name, version), tgz);
        return tgz;
    }

    private static String releasePath(String name, String version) {
        return "/download/" + name + "-" + version + "/" + name + "-" + version + ".tgz";
    }

    private static String absoluteEntry(ChartServer up, String name, String version, byte[] tgz) {
        return TestCharts.entry(name, version, up.releasesUrl() + releasePath(name, version), tgz);
    }

    /** The first chart URL of {@code name}'s first entry in an index as served. */
    private static String chartUrl(HttpResponse<byte[]> index, String name) throws IOException {
        JsonNode doc = YAML.readTree(index.body());
        return doc.path("entries").path(name).path(0).path("urls").path(0).asText();
    }

    /** The path part of a URL binaryrepo wrote, for fetching it from {@code p}. */
    private static String pathOf(ProxyServer p, String url) {
        assertTrue(url.startsWith(p.url() + "/repo/helm/"), url);
        return url.substring(p.url().length());
    }

    private static Path chartFile(Path cache, String url) {
        String token = url.substring(url.indexOf("/_charts/") + "/_charts/".length(), url.lastIndexOf('/'));
        return cache.resolve("helm/helm/charts/" + token);
    }

    @Test
    void absoluteChartUrlsOnAnotherHost_areRewrittenToTheProxy_andEachChartIsDownloadedOnce() throws Exception {
        ChartServer up = upstream();
        byte[] nginx = release(up, "nginx", "1.2.3");
        up.putIndex(TestCharts.index(Map.of("nginx", absoluteEntry(up, "nginx", "1.2.3", nginx))));
        ProxyServer p = proxyFor(up, "");

        HttpResponse<byte[]> index = get(p, "/repo/helm/index.yaml");
        assertEquals(200, index.statusCode());
        assertFalse(index.headers().firstValue("Content-Encoding").isPresent());
        assertEquals(String.valueOf(index.body().length), index.headers().firstValue("Content-Length").orElseThrow());
        String url = chartUrl(index, "nginx");
        assertTrue(url.startsWith(p.url() + "/repo/helm/_charts/") && url.endsWith("/nginx-1.2.3.tgz"), url);
        assertFalse(new String(index.body(), StandardCharsets.UTF_8).contains(up.releasesUrl()),
                "no chart URL leads past the cache");

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<HttpResponse<byte[]>>> gets = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                gets.add(pool.submit(() -> get(p, pathOf(p, url))));
            }
            for (Future<HttpResponse<byte[]>> f : gets) {
                assertEquals(200, f.get().statusCode());
                assertArrayEquals(nginx, f.get().body());
            }
        } finally {
            pool.shutdownNow();
        }
        HttpResponse<byte[]> again = get(p, pathOf(p, url));
        assertArrayEquals(nginx, again.body());
        assertEquals(1, up.count(Origin.RELEASES, releasePath("nginx", "1.2.3")), "one download however many clients");
        assertTrue(Files.isRegularFile(chartFile(tmp.resolve("cache"), url)), "committed to the cache");

        HttpResponse<byte[]> range = get(p, pathOf(p, url), "Range", "bytes=0-9");
        assertEquals(206, range.statusCode());
        assertEquals(10, range.body().length);
        HttpResponse<byte[]> head = send(p, "HEAD", pathOf(p, url));
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(nginx.length), head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void relativeChartUrls_stayAsUpstreamWroteThem_andAreServedFromTheRepositoryPath() throws Exception {
        ChartServer up = upstream();
        byte[] app = TestCharts.chart("app", "0.1.0");
        up.put(Origin.INDEX, ChartServer.REPO_PATH + "/packages/app-0.1.0.tgz", app);
        String yaml = TestCharts.index(Map.of("app", TestCharts.entry("app", "0.1.0", "packages/app-0.1.0.tgz", app)));
        up.putIndex(yaml);
        ProxyServer p = proxyFor(up, "");

        HttpResponse<byte[]> index = get(p, "/repo/helm/index.yaml");
        assertEquals(yaml, new String(index.body(), StandardCharsets.UTF_8), "byte for byte as upstream wrote it");
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> chart = get(p, "/repo/helm/packages/app-0.1.0.tgz");
            assertEquals(200, chart.statusCode());
            assertArrayEquals(app, chart.body());
        }
        assertEquals(1, up.count(Origin.INDEX, ChartServer.REPO_PATH + "/packages/app-0.1.0.tgz"));
    }

    @Test
    void configuredPublicUrl_isWhatTheIndexNames() throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a))));
        ProxyServer p = closeAfter(ProxyServer.start(tmp.resolve("cache"), config(up, ""), clock,
                Map.of("binaryrepo.publicUrl", "https://cache.example.com/br")));
        String url = chartUrl(get(p, "/repo/helm/index.yaml"), "a");
        assertTrue(url.startsWith("https://cache.example.com/br/repo/helm/_charts/"), url);
        // the same path works on the address the client really uses
        HttpResponse<byte[]> chart = get(p, url.substring("https://cache.example.com/br".length()));
        assertArrayEquals(a, chart.body());
    }

    @Test
    void indexWithinTtl_isServedWithoutAskingUpstream_thenRevalidatedWithAConditionalGet() throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a))));
        ProxyServer p = proxyFor(up, "");
        String indexPath = ChartServer.REPO_PATH + "/index.yaml";

        byte[] first = get(p, "/repo/helm/index.yaml").body();
        clock.advance(Duration.ofMinutes(4));
        assertArrayEquals(first, get(p, "/repo/helm/index.yaml").body());
        assertEquals(1, up.count(Origin.INDEX, indexPath), "within the TTL upstream is not asked");

        clock.advance(Duration.ofMinutes(2));
        assertArrayEquals(first, get(p, "/repo/helm/index.yaml").body());
        assertEquals(2, up.count(Origin.INDEX, indexPath), "after the TTL one conditional GET (answered 304)");

        byte[] b = release(up, "b", "2.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a), "b", absoluteEntry(up, "b", "2.0.0", b))));
        assertArrayEquals(first, get(p, "/repo/helm/index.yaml").body(), "the TTL restarted with the 304");
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<byte[]> fresh = get(p, "/repo/helm/index.yaml");
        assertEquals(3, up.count(Origin.INDEX, indexPath));
        assertArrayEquals(b, get(p, pathOf(p, chartUrl(fresh, "b"))).body(), "the new chart is reachable");
    }

    @Test
    void upstreamFailingAfterTheTtl_servesTheCachedIndex_andItsCharts() throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a))));
        ProxyServer p = proxyFor(up, "");
        byte[] first = get(p, "/repo/helm/index.yaml").body();

        for (int status : new int[] {500, 503, 429}) {
            up.indexStatus = status;
            clock.advance(Duration.ofMinutes(6));
            HttpResponse<byte[]> stale = get(p, "/repo/helm/index.yaml");
            assertEquals(200, stale.statusCode(), "stale if error on upstream " + status);
            assertArrayEquals(first, stale.body());
        }
        HttpResponse<byte[]> chart = get(p, pathOf(p, chartUrl(get(p, "/repo/helm/index.yaml"), "a")));
        assertArrayEquals(a, chart.body(), "charts of the stale index are still reachable");
    }

    @Test
    void upstreamFailingWithNothingCached_is502_or504_orTheUpstreams404() throws Exception {
        ChartServer up = upstream();
        ProxyServer p = proxyFor(up, "");
        up.indexStatus = 500;
        assertEquals(502, get(p, "/repo/helm/index.yaml").statusCode());
        up.indexStatus = 0;
        HttpResponse<byte[]> missing = get(p, "/repo/helm/index.yaml");
        assertEquals(404, missing.statusCode(), "upstream has no index.yaml");
        assertTrue(missing.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));

        ChartServer slow = upstream();
        slow.stallIndex = true;
        ProxyServer p2 = proxy(tmp.resolve("cache2"), "repositories:\n  - name: helm\n    type: helm\n    url: "
                + slow.repoUrl() + "\n    readTimeout: 1s\n");
        assertEquals(504, get(p2, "/repo/helm/index.yaml").statusCode());
    }

    @Test
    void chartWhoseBytesDoNotMatchTheIndexDigest_isNeverCommitted() throws Exception {
        ChartServer up = upstream();
        byte[] good = TestCharts.chart("a", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", good))));
        byte[] tampered = TestCharts.chart("a", "6.6.6");
        up.put(Origin.RELEASES, releasePath("a", "1.0.0"), tampered);
        ProxyServer p = proxyFor(up, "");
        String url = chartUrl(get(p, "/repo/helm/index.yaml"), "a");

        try {
            HttpResponse<byte[]> r = get(p, pathOf(p, url));
            assertFalse(r.statusCode() == 200 && java.util.Arrays.equals(tampered, r.body()),
                    "a complete wrong chart must never be delivered");
        } catch (IOException expected) {
            // the connection is aborted once the digest does not match
        }
        assertFalse(Files.exists(chartFile(tmp.resolve("cache"), url)), "not committed");
        assertSpoolEmpty(tmp.resolve("cache"));

        up.put(Origin.RELEASES, releasePath("a", "1.0.0"), good);
        assertArrayEquals(good, get(p, pathOf(p, url)).body());
        assertTrue(Files.isRegularFile(chartFile(tmp.resolve("cache"), url)));
        assertEquals(2, up.count(Origin.RELEASES, releasePath("a", "1.0.0")));
    }

    @Test
    void pathsNotInTheIndex_are404_andNeverReachAnyUpstream() throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a))));
        ProxyServer p = proxyFor(up, "");
        get(p, "/repo/helm/index.yaml");

        for (String path : List.of("/repo/helm/_charts/0123456789abcdef0123456789abcdef/a-1.0.0.tgz",
                "/repo/helm/_charts/not-a-token/a.tgz", "/repo/helm/a-1.0.0.tgz",
                "/repo/helm/download/a-1.0.0/a-1.0.0.tgz", "/repo/helm/_charts/", "/repo/helm/")) {
            HttpResponse<byte[]> r = get(p, path);
            assertEquals(404, r.statusCode(), path);
        }
        assertEquals(0, up.count(Origin.RELEASES, releasePath("a", "1.0.0")));
        assertEquals(0, up.count(Origin.INDEX, ChartServer.REPO_PATH + "/a-1.0.0.tgz"), "no guessing upstream");
        assertEquals(405, send(p, "PUT", "/repo/helm/index.yaml").statusCode());
    }

    @Test
    void chartDroppedFromANewerIndex_isStillServedFromTheCache() throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a))));
        ProxyServer p = proxyFor(up, "");
        String url = chartUrl(get(p, "/repo/helm/index.yaml"), "a");
        assertArrayEquals(a, get(p, pathOf(p, url)).body());

        byte[] b = release(up, "b", "1.0.0");
        up.putIndex(TestCharts.index(Map.of("b", absoluteEntry(up, "b", "1.0.0", b))));
        clock.advance(Duration.ofMinutes(6));
        assertTrue(YAML.readTree(get(p, "/repo/helm/index.yaml").body()).path("entries").path("a").isMissingNode());
        assertArrayEquals(a, get(p, pathOf(p, url)).body());
        assertEquals(1, up.count(Origin.RELEASES, releasePath("a", "1.0.0")));
    }

    @Test
    void credentials_goToTheUpstreamHostOnly_neverToTheReleaseHost() throws Exception {
        ChartServer up = upstream();
        up.requireBasic("reader", "s3cret");
        byte[] a = release(up, "a", "1.0.0");
        byte[] rel = TestCharts.chart("r", "1.0.0");
        up.put(Origin.INDEX, ChartServer.REPO_PATH + "/r-1.0.0.tgz", rel);
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a),
                "r", TestCharts.entry("r", "1.0.0", "r-1.0.0.tgz", rel))));
        ProxyServer p = proxyFor(up, "    username: reader\n    password: s3cret\n");

        HttpResponse<byte[]> index = get(p, "/repo/helm/index.yaml");
        assertEquals(200, index.statusCode());
        assertArrayEquals(a, get(p, pathOf(p, chartUrl(index, "a"))).body());
        assertArrayEquals(rel, get(p, "/repo/helm/r-1.0.0.tgz").body());

        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("reader:s3cret".getBytes(StandardCharsets.UTF_8));
        assertTrue(up.authorizations(Origin.INDEX).contains(basic), "the upstream host got the credentials");
        assertFalse(up.authorizations(Origin.RELEASES).isEmpty());
        for (String auth : up.authorizations(Origin.RELEASES)) {
            assertNull(auth, "the release host never sees Authorization");
        }
    }

    @Test
    void provenanceFile_isFetchedNextToItsChart() throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        byte[] prov = "-----BEGIN PGP SIGNED MESSAGE-----\nfake\n".getBytes(StandardCharsets.UTF_8);
        up.put(Origin.RELEASES, releasePath("a", "1.0.0") + ".prov", prov);
        up.putIndex(TestCharts.index(Map.of("a", absoluteEntry(up, "a", "1.0.0", a))));
        ProxyServer p = proxyFor(up, "");
        String url = chartUrl(get(p, "/repo/helm/index.yaml"), "a");
        assertArrayEquals(prov, get(p, pathOf(p, url) + ".prov").body());
        assertArrayEquals(prov, get(p, pathOf(p, url) + ".prov").body());
        assertEquals(1, up.count(Origin.RELEASES, releasePath("a", "1.0.0") + ".prov"));
        assertNotNull(cachedFiles(tmp.resolve("cache")).stream().filter(f -> f.endsWith(".prov")).findFirst().orElse(null));
    }

    @Test
    void chartWithoutDigest_isAMutableDocument_servedWithinTtl_fetchedAgainAfterIt_neverCommittedAsContent()
            throws Exception {
        ChartServer up = upstream();
        byte[] a = release(up, "a", "1.0.0");
        String noDigest = absoluteEntry(up, "a", "1.0.0", a).replaceAll("    digest: [0-9a-f]+\n", "");
        up.putIndex(TestCharts.index(Map.of("a", noDigest)));
        ProxyServer p = proxyFor(up, "");
        String path = pathOf(p, chartUrl(get(p, "/repo/helm/index.yaml"), "a"));
        assertArrayEquals(a, get(p, path).body());
        assertArrayEquals(a, get(p, path).body());
        assertEquals(1, up.count(Origin.RELEASES, releasePath("a", "1.0.0")), "served within the TTL");
        clock.advance(Duration.ofMinutes(6));
        assertArrayEquals(a, get(p, path).body());
        assertEquals(2, up.count(Origin.RELEASES, releasePath("a", "1.0.0")), "unverifiable: asked again after the TTL");
        assertTrue(cachedFiles(tmp.resolve("cache")).stream().noneMatch(f -> f.matches(".*/charts/[0-9a-f]{32}")),
                "never committed as immutable content");
    }

    private static List<String> cachedFiles(Path cache) throws IOException {
        try (Stream<Path> s = Files.walk(cache.resolve("helm"))) {
            return s.filter(Files::isRegularFile).map(Path::toString).toList();
        }
    }
}
