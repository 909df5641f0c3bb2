package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.e2e.Wait;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Fault;
import io.binaryrepo.testing.FakeUpstream.Route;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A PyPI repository through binaryrepo (embedded Jetty) in front of {@link FakeUpstream}s: an index and a
 * second files host.
 */
class PypiProxyTest extends ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, "
            + "application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    private static final Pattern HREF = Pattern.compile("href=\"([^\"]*)\"");

    private FakeUpstream index;
    private FakeUpstream files;

    private ProxyServer start() throws Exception {
        index = closeAfter(FakeUpstream.start());
        files = closeAfter(FakeUpstream.start());
        return proxy(tmp.resolve("cache"), "repositories:\n  - name: py\n    type: pypi\n    url: " + index.url()
                + "/simple\n    fileHosts: [" + files.url() + "]\n    allowedHosts: [\"127.0.0.1:" + files.port() + "\"]\n    metadataTtl: 5m\n    readTimeout: 2s\n");
    }

    private static String jsonPage(String project, String entries) {
        return "{\"meta\":{\"api-version\":\"1.1\",\"_x\":1},\"name\":\"" + project + "\",\"versions\":[\"1.0\"],"
                + "\"files\":[" + entries + "]}";
    }

    private static String jsonEntry(String filename, String url, byte[] body, String extra) {
        return "{\"filename\":\"" + filename + "\",\"url\":\"" + url + "\",\"hashes\":{\"sha256\":\""
                + TestWheels.hex(body) + "\"},\"size\":" + body.length + ",\"upload-time\":\"2026-01-02T03:04:05Z\""
                + extra + "}";
    }

    private void putJson(String project, String page) {
        index.put("/simple/" + project + "/", Route.ok(page, "application/vnd.pypi.simple.v1+json"));
    }

    private void putHtml(String project, String anchors) {
        index.put("/simple/" + project + "/", Route.ok("<!DOCTYPE html><html><body>\n" + anchors
                + "\n</body></html>\n", "text/html"));
    }

    /** The path (from the proxy root) a link on the page of {@code project} names. */
    private static String resolve(ProxyServer p, String project, String link) {
        URI page = URI.create(p.url() + "/repo/py/simple/" + project + "/");
        String u = page.resolve(link.replace("&amp;", "&")).toString();
        int hash = u.indexOf('#');
        return (hash < 0 ? u : u.substring(0, hash)).substring(p.url().length());
    }

    private static List<String> hrefs(HttpResponse<byte[]> r) {
        List<String> out = new ArrayList<>();
        Matcher m = HREF.matcher(new String(r.body(), StandardCharsets.UTF_8));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private Path cached(String project, String linkWithFragment) {
        String link = linkWithFragment.split("#")[0];
        String id = link.substring(link.indexOf("/files/" + project + "/") + ("/files/" + project + "/").length());
        return tmp.resolve("cache/pypi/py/files/" + project + "/" + PypiFiles.sha256(id));
    }

    @Test
    void projectPage_jsonUpstream_answersJsonOrDerivedHtmlByAccept_withVary() throws Exception {
        ProxyServer p = start();
        byte[] whl = random(3000, 1);
        putJson("demo", jsonPage("demo", jsonEntry("demo-1.0-py3-none-any.whl", files.url()
                + "/packages/demo-1.0-py3-none-any.whl", whl, ",\"requires-python\":\">=3.8\",\"yanked\":\"bad build\""
                + ",\"core-metadata\":{\"sha256\":\"" + "ab".repeat(32) + "\"}")));

        HttpResponse<byte[]> json = get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT);
        assertEquals(200, json.statusCode());
        assertEquals("application/vnd.pypi.simple.v1+json", json.headers().firstValue("Content-Type").orElse(""));
        assertEquals("Accept", json.headers().firstValue("Vary").orElse(""));
        JsonNode doc = JSON.readTree(json.body());
        JsonNode f = doc.path("files").path(0);
        assertEquals("../../files/demo/1/packages/demo-1.0-py3-none-any.whl", f.path("url").asText());
        assertEquals("2026-01-02T03:04:05Z", f.path("upload-time").asText(), "PEP 700 kept");
        assertEquals(3000, f.path("size").asInt(), "PEP 700 kept");
        assertEquals("1.0", doc.path("versions").path(0).asText(), "PEP 700 kept");
        assertEquals(1, doc.path("meta").path("_x").asInt(), "unknown keys kept");
        assertEquals("bad build", f.path("yanked").asText());

        HttpResponse<byte[]> html = get(p, "/repo/py/simple/demo/", "Accept", "text/html");
        assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html;"));
        assertEquals("Accept", html.headers().firstValue("Vary").orElse(""));
        String h = body(html);
        assertTrue(h.contains("<a href=\"../../files/demo/1/packages/demo-1.0-py3-none-any.whl#sha256="
                + TestWheels.hex(whl) + "\" data-requires-python=\"&gt;=3.8\" data-yanked=\"bad build\" "
                + "data-core-metadata=\"sha256=" + "ab".repeat(32) + "\" data-dist-info-metadata=\"sha256="
                + "ab".repeat(32) + "\">demo-1.0-py3-none-any.whl</a>"), h);
        assertEquals(html.body().length, Long.parseLong(html.headers().firstValue("Content-Length").orElse("-1")));
        assertEquals(1, index.count("GET", "/simple/demo/"), "one upstream fetch serves both forms");
        assertTrue(index.requests().get(0).header("Accept").startsWith("application/vnd.pypi.simple.v1+json"));

        HttpResponse<byte[]> none = get(p, "/repo/py/simple/demo/", "Accept", "application/json");
        assertEquals(406, none.statusCode());
    }

    @Test
    void projectPage_htmlUpstream_isNeverTurnedIntoJson() throws Exception {
        ProxyServer p = start();
        putHtml("demo", "<a href=\"../../packages/demo-1.0.tar.gz#sha256=" + "cd".repeat(32) + "\">demo-1.0.tar.gz</a>");
        HttpResponse<byte[]> r = get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT);
        assertEquals("application/vnd.pypi.simple.v1+html", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(406, get(p, "/repo/py/simple/demo/", "Accept", "application/vnd.pypi.simple.v1+json")
                .statusCode());
    }

    @Test
    void links_relativeAbsoluteAndOnTheFilesHost_areProxiedWithFragmentsAndAttributes_foreignOnesDropped()
            throws Exception {
        ProxyServer p = start();
        byte[] rel = random(1000, 2);
        byte[] abs = random(1001, 3);
        byte[] other = random(1002, 4);
        index.put("/packages/rel-1.0.tar.gz", Route.ok(rel, "application/octet-stream"));
        index.put("/simple/packages/abs-1.0.zip", Route.ok(abs, "application/octet-stream"));
        files.put("/x/y/other-1.0-py3-none-any.whl", Route.ok(other, "application/octet-stream"));
        putHtml("demo", "<a href=\"../../packages/rel-1.0.tar.gz#sha256=" + TestWheels.hex(rel)
                + "\" data-requires-python=\"&gt;=3.7\">rel-1.0.tar.gz</a>\n"
                + "<a href='" + index.url() + "/simple/packages/abs-1.0.zip#sha256=" + TestWheels.hex(abs)
                + "' data-yanked>abs-1.0.zip</a>\n"
                + "<a href=\"" + files.url() + "/x/y/other-1.0-py3-none-any.whl#sha256=" + TestWheels.hex(other)
                + "\" data-dist-info-metadata=\"true\" data-core-metadata=\"true\">other-1.0-py3-none-any.whl</a>\n"
                + "<a href=\"http://elsewhere.invalid/evil-1.0.tar.gz#sha256=" + "00".repeat(32)
                + "\">evil-1.0.tar.gz</a>\n"
                + "<a href=\"../../packages/q-1.0.tar.gz?token=1\">q-1.0.tar.gz</a>");

        HttpResponse<byte[]> page = get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT);
        String html = body(page);
        List<String> links = hrefs(page);
        assertEquals(List.of("../../files/demo/0/packages/rel-1.0.tar.gz#sha256=" + TestWheels.hex(rel),
                "../../files/demo/0/simple/packages/abs-1.0.zip#sha256=" + TestWheels.hex(abs),
                "../../files/demo/1/x/y/other-1.0-py3-none-any.whl#sha256=" + TestWheels.hex(other)), links);
        assertTrue(html.contains("data-requires-python=\"&gt;=3.7\""), html);
        assertTrue(html.contains(" data-yanked>abs-1.0.zip</a>"), html);
        assertTrue(html.contains("data-dist-info-metadata=\"true\" data-core-metadata=\"true\""), html);
        assertFalse(html.contains("elsewhere") || html.contains("q-1.0"), "links past the upstream's hosts dropped");

        assertArrayEquals(rel, get(p, resolve(p, "demo", links.get(0))).body());
        assertArrayEquals(abs, get(p, resolve(p, "demo", links.get(1))).body());
        HttpResponse<byte[]> o = get(p, resolve(p, "demo", links.get(2)));
        assertEquals(200, o.statusCode());
        assertArrayEquals(other, o.body());
        assertTrue(o.headers().firstValue("Cache-Control").orElse("").contains("immutable"));
        assertTrue(Files.isRegularFile(cached("demo", links.get(2))), "committed");
        assertArrayEquals(other, get(p, resolve(p, "demo", links.get(2))).body());
        assertEquals(1, files.count("GET", "/x/y/other-1.0-py3-none-any.whl"), "the second answer is a cache hit");
    }

    @Test
    void names_notNormalisedOrWithoutTrailingSlash_areRedirected() throws Exception {
        ProxyServer p = start();
        HttpResponse<byte[]> r = get(p, "/repo/py/simple/Demo.Pkg/");
        assertEquals(301, r.statusCode());
        assertEquals("../demo-pkg/", r.headers().firstValue("Location").orElse(""));
        r = get(p, "/repo/py/simple/Demo__Pkg");
        assertEquals(301, r.statusCode());
        assertEquals("demo-pkg/", r.headers().firstValue("Location").orElse(""));
        r = get(p, "/repo/py/simple");
        assertEquals(301, r.statusCode());
        assertEquals("simple/", r.headers().firstValue("Location").orElse(""));
        r = get(p, "/repo/py/simple/-bad-/");
        assertEquals(404, r.statusCode());
        assertTrue(body(r).contains("not a valid project name"), body(r));
        assertEquals(0, index.count(), "nothing asked upstream");
    }

    @Test
    void projectList_htmlRewrittenToNormalisedRelativeLinks_jsonPassedThrough() throws Exception {
        ProxyServer p = start();
        index.put("/simple/", Route.ok("<html><body><a href=\"" + index.url() + "/simple/Demo.Pkg/\">Demo.Pkg</a>"
                + "<a href=\"/x/\">-nope-</a></body></html>", "text/html"));
        HttpResponse<byte[]> r = get(p, "/repo/py/simple/", "Accept", "text/html");
        assertEquals(List.of("demo-pkg/"), hrefs(r));
        assertTrue(body(r).contains(">Demo.Pkg</a>"));
    }

    @Test
    void file_corruptUpstream_isNeverCommitted_andALaterGoodDownloadIs() throws Exception {
        ProxyServer p = start();
        byte[] whl = random(200_000, 5);
        putJson("demo", jsonPage("demo", jsonEntry("demo-1.0.tar.gz", "../../packages/demo-1.0.tar.gz", whl, "")));
        index.put("/packages/demo-1.0.tar.gz", Route.ok(whl, "application/octet-stream").withFault(Fault.CORRUPT));
        String link = JSON.readTree(get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT).body())
                .path("files").path(0).path("url").asText();
        String path = resolve(p, "demo", link);
        try {
            HttpResponse<byte[]> r = get(p, path);
            assertFalse(r.statusCode() == 200 && r.body().length == whl.length, "a corrupt file is never delivered whole");
        } catch (IOException expected) {
            // the connection is aborted once the digest does not match
        }
        assertFalse(Files.exists(cached("demo", link)), "not committed");
        assertSpoolEmpty(tmp.resolve("cache"));

        index.put("/packages/demo-1.0.tar.gz", Route.ok(whl, "application/octet-stream"));
        assertArrayEquals(whl, get(p, path).body());
        assertTrue(Files.isRegularFile(cached("demo", link)));
    }

    @Test
    void metadataFile_verifiedAgainstItsAdvertisedHash_andOnlyWhenAdvertised() throws Exception {
        ProxyServer p = start();
        TestWheels.Wheel good = TestWheels.wheel("alpha", "1.0", List.of());
        putJson("alpha", jsonPage("alpha", jsonEntry(good.fileName(), "../../packages/" + good.fileName(),
                good.bytes(), ",\"core-metadata\":{\"sha256\":\"" + good.metadataSha256() + "\"}")));
        putJson("beta", jsonPage("beta", jsonEntry("beta-1.0.tar.gz", "../../packages/beta-1.0.tar.gz",
                good.bytes(), "")));
        index.put("/packages/" + good.fileName() + ".metadata", Route.ok("Name: tampered\n", "text/plain"));
        String link = JSON.readTree(get(p, "/repo/py/simple/alpha/", "Accept", PIP_ACCEPT).body())
                .path("files").path(0).path("url").asText();
        String meta = resolve(p, "alpha", link) + ".metadata";
        try {
            HttpResponse<byte[]> r = get(p, meta);
            assertFalse(r.statusCode() == 200 && body(r).equals("Name: tampered\n"), "a wrong metadata file is refused");
        } catch (IOException expected) {
            // aborted: the hash does not match
        }
        assertFalse(Files.exists(Path.of(cached("alpha", link) + ".metadata")), "not committed");

        index.put("/packages/" + good.fileName() + ".metadata", Route.ok(good.metadata(), "text/plain"));
        HttpResponse<byte[]> r = get(p, meta);
        assertEquals(200, r.statusCode());
        assertArrayEquals(good.metadata(), r.body());

        String betaLink = JSON.readTree(get(p, "/repo/py/simple/beta/", "Accept", PIP_ACCEPT).body())
                .path("files").path(0).path("url").asText();
        HttpResponse<byte[]> notAdvertised = get(p, resolve(p, "beta", betaLink) + ".metadata");
        assertEquals(404, notAdvertised.statusCode());
        assertTrue(body(notAdvertised).contains("does not advertise a metadata file"), body(notAdvertised));
        assertEquals(0, index.count("GET", "/packages/beta-1.0.tar.gz.metadata"));
    }

    @Test
    void projectPage_afterTtlWithUpstreamFailing_isServedStale_andPipsMaxAgeZeroDoesNotRevalidate()
            throws Exception {
        ProxyServer p = start();
        putHtml("demo", "<a href=\"../../packages/demo-1.0.tar.gz#sha256=" + "cd".repeat(32) + "\">demo-1.0.tar.gz</a>");
        HttpResponse<byte[]> first = get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT, "Cache-Control", "max-age=0");
        HttpResponse<byte[]> second = get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT, "Cache-Control", "max-age=0");
        assertArrayEquals(first.body(), second.body());
        assertEquals(1, index.count("GET", "/simple/demo/"), "within metadataTtl, whatever the client's Cache-Control");

        clock.advance(Duration.ofMinutes(6));
        index.put("/simple/demo/", Route.status(200).withFault(Fault.FAIL_500));
        HttpResponse<byte[]> stale = get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT);
        assertEquals(200, stale.statusCode());
        assertArrayEquals(first.body(), stale.body());
        assertEquals(2, index.count("GET", "/simple/demo/"), "revalidation was tried");

        HttpResponse<byte[]> never = get(p, "/repo/py/simple/never/", "Accept", PIP_ACCEPT);
        assertEquals(404, never.statusCode(), "upstream's 404: no such project");
        index.put("/simple/down/", Route.status(200).withFault(Fault.FAIL_500));
        assertEquals(502, get(p, "/repo/py/simple/down/").statusCode(), "a failure is never a 404");
    }

    @Test
    void file_twentyConcurrentMisses_makeOneUpstreamGet() throws Exception {
        ProxyServer p = start();
        byte[] whl = random(1_000_000, 6);
        putJson("demo", jsonPage("demo", jsonEntry("demo-1.0.tar.gz", files.url() + "/demo-1.0.tar.gz", whl, "")));
        files.put("/demo-1.0.tar.gz", Route.ok(whl, "application/octet-stream").withFault(Fault.HOLD_HALF));
        String link = JSON.readTree(get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT).body())
                .path("files").path(0).path("url").asText();
        String path = resolve(p, "demo", link);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<HttpResponse<byte[]>>> gets = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                gets.add(pool.submit(() -> get(p, path)));
            }
            Wait.until(Duration.ofSeconds(20), "the download started", () -> files.count("GET", "/demo-1.0.tar.gz") > 0);
            files.release();
            for (Future<HttpResponse<byte[]>> f : gets) {
                assertEquals(200, f.get().statusCode());
                assertArrayEquals(whl, f.get().body());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, files.count("GET", "/demo-1.0.tar.gz"), "one upstream GET for 20 clients");
    }

    @Test
    void unlistedFilesAndUploads_areRefused_withoutAskingUpstream() throws Exception {
        ProxyServer p = start();
        putHtml("demo", "<a href=\"../../packages/demo-1.0.tar.gz#sha256=" + "cd".repeat(32) + "\">demo-1.0.tar.gz</a>");
        HttpResponse<byte[]> r = get(p, "/repo/py/files/demo/0/packages/other-6.6.tar.gz");
        assertEquals(404, r.statusCode());
        assertTrue(body(r).contains("not listed on the current page of project 'demo'"), body(r));
        assertEquals(404, get(p, "/repo/py/files/demo/7/packages/demo-1.0.tar.gz").statusCode(), "no origin 7");
        assertEquals(404, get(p, "/repo/py/files/demo/0/../../etc/passwd").statusCode());
        assertEquals(0, index.count("GET", "/packages/other-6.6.tar.gz"));

        HttpResponse<byte[]> upload = send(p, "POST", "/repo/py/");
        assertEquals(405, upload.statusCode());
        assertTrue(upload.headers().firstValue("Allow").orElse("").contains("GET"));
        assertEquals(405, send(p, "POST", "/repo/py/simple/").statusCode());
    }

    @Test
    void projectPage_olderSerialThanTheCachedOne_isRefused_theCachedPageStays() throws Exception {
        ProxyServer p = start();
        byte[] a = random(10, 7);
        String v10 = "{\"meta\":{\"api-version\":\"1.1\",\"_last-serial\":10},\"name\":\"demo\",\"files\":["
                + jsonEntry("demo-1.0.tar.gz", "demo-1.0.tar.gz", a, "") + "]}";
        index.put("/simple/demo/", Route.ok(v10, "application/vnd.pypi.simple.v1+json")
                .withHeader("X-PyPI-Last-Serial", "10"));
        assertEquals(1, JSON.readTree(get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT).body()).path("files").size());

        clock.advance(Duration.ofMinutes(6));
        String v9 = "{\"meta\":{\"api-version\":\"1.1\",\"_last-serial\":9},\"name\":\"demo\",\"files\":[]}";
        index.put("/simple/demo/", Route.ok(v9, "application/vnd.pypi.simple.v1+json")
                .withHeader("X-PyPI-Last-Serial", "9"));
        JsonNode kept = JSON.readTree(get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT).body());
        assertEquals(10, kept.path("meta").path("_last-serial").asInt(), "a stale CDN answer never replaces a newer page");
        assertEquals(2, index.count("GET", "/simple/demo/"));

        String v11 = v9.replace(":9}", ":11}");
        index.put("/simple/demo/", Route.ok(v11, "application/vnd.pypi.simple.v1+json")
                .withHeader("X-PyPI-Last-Serial", "11"));
        JsonNode newer = JSON.readTree(get(p, "/repo/py/simple/demo/", "Accept", PIP_ACCEPT).body());
        assertEquals(11, newer.path("meta").path("_last-serial").asInt());
        assertEquals(0, newer.path("files").size());
    }

    @Test
    void head_ofAPageAndOfAnUncachedFile_downloadsNothing() throws Exception {
        ProxyServer p = start();
        byte[] whl = random(5000, 8);
        putJson("demo", jsonPage("demo", jsonEntry("demo-1.0.tar.gz", "../../packages/demo-1.0.tar.gz", whl, "")));
        index.put("/packages/demo-1.0.tar.gz", Route.ok(whl, "application/octet-stream"));
        HttpResponse<byte[]> page = send(p, "HEAD", "/repo/py/simple/demo/", "Accept", "text/html");
        assertEquals(200, page.statusCode());
        assertEquals("Accept", page.headers().firstValue("Vary").orElse(""));
        HttpResponse<byte[]> file = send(p, "HEAD", "/repo/py/files/demo/0/packages/demo-1.0.tar.gz");
        assertEquals(200, file.statusCode());
        assertEquals(String.valueOf(whl.length), file.headers().firstValue("Content-Length").orElse(""));
        assertEquals(0, index.count("GET", "/packages/demo-1.0.tar.gz"), "a HEAD downloads nothing");
        assertEquals(1, index.count("HEAD", "/packages/demo-1.0.tar.gz"));
    }

    @Test
    void projectList_jsonUpstream_answersJsonOrDerivedHtml() throws Exception {
        ProxyServer p = start();
        index.put("/simple/", Route.ok("{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[{\"name\":\"Demo.Pkg\"},"
                + "{\"name\":\"flask\"}]}", "application/vnd.pypi.simple.v1+json"));
        HttpResponse<byte[]> json = get(p, "/repo/py/simple/", "Accept", PIP_ACCEPT);
        assertEquals("Demo.Pkg", JSON.readTree(json.body()).path("projects").path(0).path("name").asText());
        HttpResponse<byte[]> html = get(p, "/repo/py/simple/");
        assertEquals(List.of("demo-pkg/", "flask/"), hrefs(html), "no Accept: text/html");
        assertEquals(1, index.count("GET", "/simple/"));
    }
}
