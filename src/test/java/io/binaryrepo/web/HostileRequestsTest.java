package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.MutableClock;
import io.binaryrepo.testing.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and malicious HTTP requests, written byte for byte on a raw socket (so no client library
 * normalizes them), against binaryrepo in embedded Jetty with an in-process token-auth registry as the
 * upstream of repository {@code hub}.
 *
 * <p>Every row says where the request is expected to end: in binaryrepo's servlet ({@link Where#SERVLET}:
 * a precise 4xx with an OCI error body {@code {"errors":[{"code":...,"message":...}]}} and the expected
 * code), or in Jetty before the servlet runs ({@link Where#JETTY}: bad request-line or header syntax,
 * ambiguous URIs, oversize request lines; Jetty's own status, no OCI body). After the table: the server
 * still serves, nothing appeared outside the cache root, and upstream saw none of these requests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every traversal payload aims at a file or directory with this name; none may ever exist. */
    private static final String TARGET = "hrtpwn";
    private static final byte[] LAYER = new byte[1000];

    @TempDir
    static Path tmp;

    private static FakeRegistry upstream;
    private static ProxyServer proxy;
    private static FakeRegistry.Image image;
    private static String layer;
    private static Map<String, Long> sentinelBefore;
    private static int tokenRequestsBefore;
    private static final AtomicInteger rowsRun = new AtomicInteger();
    private static final Map<String, String> jettyAnswers = new ConcurrentSkipListMap<>();
    private static final Pattern JETTY_TITLE = Pattern.compile("<title>Error \\d+ ([^<]*)</title>");

    /** Where a request is expected to be answered. */
    enum Where { SERVLET, JETTY }

    /**
     * One hostile request.
     *
     * @param raw the exact bytes sent (ISO-8859-1 characters, one per byte)
     * @param status the expected status
     * @param where who answers
     * @param code the expected OCI error code (SERVLET rows; null for HEAD, which has no body)
     */
    record Row(String label, String raw, int status, Where where, String code) {
    }

    @BeforeAll
    static void start() throws Exception {
        new Random(42).nextBytes(LAYER);
        upstream = FakeRegistry.start(true);
        image = upstream.putImage("library/alpine", "3", LAYER);
        layer = image.layerDigests().get(0);
        Path cache = tmp.resolve("cache");
        proxy = ProxyServer.start(cache, "repositories:\n  - name: hub\n    type: docker\n    url: " + upstream.url()
                + "\n    metadataTtl: 5m\n    readTimeout: 5s\n", new MutableClock());
        // Warm the cache so the Range rows hit a cached, confirmed blob and never need upstream.
        assertEquals(200, RawHttp.send(proxy.port(), get("/v2/hub/library/alpine/manifests/3")).status());
        assertEquals(200, RawHttp.send(proxy.port(), get("/v2/hub/library/alpine/blobs/" + layer)).status());
        // A sentinel tree beside the cache root: traversal would land here first.
        Path s = tmp.resolve("sentinel");
        Files.createDirectories(s.resolve("v2/hub/library"));
        Files.createDirectories(s.resolve("docker/blobs/sha256"));
        Files.writeString(s.resolve("v2/hub/library/README"), "sentinel");
        Files.writeString(s.resolve("docker/blobs/sha256/keep"), "sentinel");
        Files.writeString(tmp.resolve("beside-cache.txt"), "sentinel");
        sentinelBefore = listing(tmp, tmp.resolve("cache"));
        upstream.resetCounts();
        tokenRequestsBefore = upstream.tokenRequests().size();
    }

    @AfterAll
    static void stop() throws Exception {
        // For the record (surefire keeps it in target/surefire-reports/*-output.txt): what Jetty refused itself.
        StringBuilder b = new StringBuilder("Requests Jetty answered before binaryrepo's servlet ran:\n");
        jettyAnswers.forEach((label, answer) -> b.append("  ").append(label).append(" -> ").append(answer).append('\n'));
        System.out.print(b);
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the table

    private static final String V2 = "/v2/hub/";
    private static final String REPO = "/repo/hub/v2/";
    private static final String HEX = "0123456789abcdef".repeat(4);

    static Stream<Named<Row>> rows() {
        List<Named<Row>> t = new ArrayList<>();
        String blob = "library/alpine/blobs/" + layer;

        // --- path traversal, both URL forms --------------------------------------------------------
        for (String p : List.of(V2, REPO)) {
            String f = p.equals(V2) ? "v2" : "repo";
            servlet(t, f + ": raw .. inside the name", get(p + "library/../" + TARGET + "/manifests/1"), 400, "NAME_INVALID");
            servlet(t, f + ": raw .. as the tag", get(p + "library/alpine/manifests/.."), 404, "MANIFEST_UNKNOWN");
            servlet(t, f + ": raw . inside the name", get(p + "library/./alpine/manifests/3"), 400, "NAME_INVALID");
            jetty(t, f + ": %2e%2e segment", get(p + "library/%2e%2e/%2e%2e/" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": %2E%2E segment", get(p + "library/%2E%2E/" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": .%2e segment", get(p + "library/.%2e/" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": %2e. segment", get(p + "library/%2e./" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": ..%2f", get(p + "library/..%2f..%2f" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": ..%2F", get(p + "library/..%2F..%2F" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": %2f in the name", get(p + "library%2falpine/manifests/3"), 400);
            jetty(t, f + ": ..%5c", get(p + "library/..%5c..%5c" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": raw backslashes", get(p + "library\\..\\..\\" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": %00 in the name", get(p + "library/alpine%00/manifests/3"), 400);
            jetty(t, f + ": %252e%252e double encoding", get(p + "library/%252e%252e/%252e%252e/" + TARGET + "/manifests/1"), 400);
            jetty(t, f + ": backslash traversal in the digest", get(p + "library/alpine/blobs/sha256:..\\..\\" + TARGET), 400);
            // The last two segments are ".." and TARGET: not a pull API path at all.
            servlet(t, f + ": raw .. in the digest", get(p + "library/alpine/blobs/sha256:../../" + TARGET), 404, "NAME_UNKNOWN");
            servlet(t, f + ": %61 (an encoded 'a') is refused, not decoded", get(p + "library/%61lpine/manifests/3"), 400, "NAME_INVALID");
            jetty(t, f + ": %2e%2e as the tag", get(p + "library/alpine/manifests/%2e%2e"), 400);
        }
        servlet(t, "v2: .. above the repository", get("/v2/hub/../hub/library/alpine/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "repo: .. above the repository", get("/repo/hub/../hub/v2/library/alpine/manifests/3"), 404, "NAME_UNKNOWN");
        jetty(t, "v2: .. above the context root", get("/v2/hub/../../../../" + TARGET + "/manifests/1"), 400);
        jetty(t, "repo: %2e%2e as the repository", get("/repo/%2e%2e/" + TARGET + "/v2/x/manifests/1"), 400);
        jetty(t, "v2: empty segment (absolute path)", get("/v2/hub//etc/" + TARGET + "/manifests/1"), 400);
        servlet(t, "v2: HEAD traversal has no body", head(V2 + "library/../" + TARGET + "/manifests/1"), 400, null);

        // --- names outside the OCI grammar -------------------------------------------------------------
        servlet(t, "uppercase name", get(V2 + "Library/alpine/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "leading separator -", get(V2 + "-alpine/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "leading separator .", get(V2 + "library/.alpine/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "leading separator _", get(REPO + "_alpine/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "triple underscore", get(V2 + "library/al___pine/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "trailing -", get(V2 + "library/alpine-/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "trailing .", get(REPO + "library/alpine./manifests/3"), 400, "NAME_INVALID");
        servlet(t, "separator ._", get(V2 + "library/al._pine/manifests/3"), 400, "NAME_INVALID");
        jetty(t, "non-ASCII (UTF-8) name", get(V2 + "library/alp\u00c4\u00b0ne/manifests/3"), 400);
        servlet(t, "percent-encoded UTF-8 name", get(V2 + "library/alp%C4%B0ne/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "path parameter ;", get(V2 + "library/alpine;x=1/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "name of 256 characters", get(V2 + "a".repeat(256) + "/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "name of 256 characters in components",
                get(REPO + ("a".repeat(63) + "/").repeat(4) + "abc/manifests/3"), 400, "NAME_INVALID");
        servlet(t, "missing name", get(V2 + "manifests/3"), 404, "NAME_UNKNOWN");

        // --- tags ------------------------------------------------------------------------------------
        servlet(t, "tag of 129 characters", get(V2 + "library/alpine/manifests/" + "t".repeat(129)), 404, "MANIFEST_UNKNOWN");
        servlet(t, "tag starting with -", get(V2 + "library/alpine/manifests/-3"), 404, "MANIFEST_UNKNOWN");
        servlet(t, "tag starting with .", get(REPO + "library/alpine/manifests/.3"), 404, "MANIFEST_UNKNOWN");
        servlet(t, "tag with !", get(V2 + "library/alpine/manifests/3!"), 404, "MANIFEST_UNKNOWN");
        servlet(t, "tag with $", get(V2 + "library/alpine/manifests/$(id)"), 404, "MANIFEST_UNKNOWN");
        servlet(t, "tag with %20", get(V2 + "library/alpine/manifests/3%20x"), 400, "NAME_INVALID");
        servlet(t, "empty tag", get(V2 + "library/alpine/manifests/"), 404, "MANIFEST_UNKNOWN");

        // --- digests ---------------------------------------------------------------------------------
        servlet(t, "md5 digest", get(V2 + "library/alpine/blobs/md5:" + HEX.substring(0, 32)), 400, "DIGEST_INVALID");
        servlet(t, "sha1 digest", get(V2 + "library/alpine/blobs/sha1:" + HEX.substring(0, 40)), 400, "DIGEST_INVALID");
        servlet(t, "sha384 digest", get(REPO + "library/alpine/manifests/sha384:" + (HEX + HEX).substring(0, 96)), 404, "MANIFEST_UNKNOWN");
        servlet(t, "algorithm in uppercase", get(V2 + "library/alpine/blobs/SHA256:" + HEX), 400, "DIGEST_INVALID");
        servlet(t, "hex in uppercase", get(V2 + "library/alpine/blobs/sha256:" + HEX.toUpperCase(Locale.ROOT)), 400, "DIGEST_INVALID");
        servlet(t, "hex too short", get(V2 + "library/alpine/blobs/sha256:" + HEX.substring(1)), 400, "DIGEST_INVALID");
        servlet(t, "hex too long", get(REPO + "library/alpine/blobs/sha256:" + HEX + "0"), 400, "DIGEST_INVALID");
        servlet(t, "sha512 with 127 hex", get(V2 + "library/alpine/blobs/sha512:" + (HEX + HEX).substring(1)), 400, "DIGEST_INVALID");
        servlet(t, "empty hex", get(V2 + "library/alpine/manifests/sha256:"), 404, "MANIFEST_UNKNOWN");
        servlet(t, "digest without algorithm", get(V2 + "library/alpine/blobs/" + HEX), 400, "DIGEST_INVALID");
        servlet(t, "digest of 300 characters", get(V2 + "library/alpine/blobs/sha256:" + "a".repeat(293)), 400, "DIGEST_INVALID");

        // --- Range on a cached blob ------------------------------------------------------------------
        servlet(t, "Range bytes=999999999999999999999-", get(V2 + blob, "Range: bytes=999999999999999999999-"), 400, "RANGE_INVALID");
        servlet(t, "Range bytes=9999999999999999999- (overflows long)", get(V2 + blob, "Range: bytes=9999999999999999999-"), 400, "RANGE_INVALID");
        servlet(t, "Range bytes=5-1", get(V2 + blob, "Range: bytes=5-1"), 400, "RANGE_INVALID");
        servlet(t, "two Range headers", get(V2 + blob, "Range: bytes=0-1", "Range: bytes=2-3"), 400, "RANGE_INVALID");
        servlet(t, "Range bytes=0-1,2-3", get(REPO + blob, "Range: bytes=0-1,2-3"), 416, "RANGE_INVALID");
        servlet(t, "Range starting at the size", get(V2 + blob, "Range: bytes=" + LAYER.length + "-"), 416, "RANGE_INVALID");
        servlet(t, "Range bytes=-0", get(V2 + blob, "Range: bytes=-0"), 416, "RANGE_INVALID");
        servlet(t, "Range bytes=-", get(V2 + blob, "Range: bytes=-"), 400, "RANGE_INVALID");
        servlet(t, "Range in another unit", get(V2 + blob, "Range: items=0-1"), 400, "RANGE_INVALID");
        servlet(t, "Range of 200 characters", get(V2 + blob, "Range: bytes=0-1" + " ".repeat(190) + "0"), 400, "RANGE_INVALID");
        servlet(t, "HEAD with Range bytes=5-1", head(V2 + blob, "Range: bytes=5-1"), 400, null);

        // --- header injection ------------------------------------------------------------------------
        jetty(t, "encoded CRLF in the path", get(V2 + "library/alpine%0d%0aX-Injected:%20yes/manifests/3"), 400);
        jetty(t, "encoded CRLF in the tag", get(V2 + "library/alpine/manifests/3%0d%0aSet-Cookie:%20a=b"), 400);
        // Jetty reads "GET <path>" without a version as an HTTP/0.9 request line.
        jetty(t, "raw CRLF in the path", "GET " + V2 + "library/alpine\r\nX-Injected: yes/manifests/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 505);
        jetty(t, "raw CR in the path", "GET " + V2 + "library/alp\rine/manifests/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 400);
        jetty(t, "bare CR in an Accept header", get(V2 + "library/Alpine/manifests/3", "Accept: application/json\rX-Injected: yes"), 400);
        jetty(t, "folded Accept header (obs-fold)", get(V2 + "library/Alpine/manifests/3", "Accept: application/json", " X-Injected: yes"), 400);
        servlet(t, "Accept with CRLF becomes two headers", get(V2 + "library/Alpine/manifests/3", "Accept: application/json\r\nX-Injected: yes"), 400, "NAME_INVALID");
        jetty(t, "NUL in a header value", get(V2 + "library/Alpine/manifests/3", "Accept: a\u0000b"), 400);
        jetty(t, "space in a header name", get(V2 + "library/Alpine/manifests/3", "X Injected: yes"), 400);
        jetty(t, "header without colon", get(V2 + "library/Alpine/manifests/3", "X-Injected"), 400);

        // --- methods ---------------------------------------------------------------------------------
        for (String m : List.of("PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO")) {
            servlet(t, m + " on a manifest", request(m, V2 + "library/alpine/manifests/3"), 405, "UNSUPPORTED");
        }
        // Methods are case-sensitive: "head" once got HEAD treatment (no body) from binaryrepo while Jetty
        // expected the Content-Length it announced, a 500; "get" was served as GET.
        servlet(t, "lowercase head on a manifest", request("head", V2 + "library/alpine/manifests/3"), 405, "UNSUPPORTED");
        servlet(t, "lowercase head on a blob", request("head", V2 + "library/alpine/blobs/" + layer), 405, "UNSUPPORTED");
        servlet(t, "lowercase head on /v2/", request("head", "/v2/"), 405, "UNSUPPORTED");
        servlet(t, "lowercase get on a manifest", request("get", REPO + "library/alpine/manifests/3"), 405, "UNSUPPORTED");
        servlet(t, "POST blob upload", request("POST", REPO + "library/alpine/blobs/uploads/"), 405, "UNSUPPORTED");
        servlet(t, "GET blob upload session", get(V2 + "library/alpine/blobs/uploads/abc"), 405, "UNSUPPORTED");
        servlet(t, "DELETE on /v2/", request("DELETE", "/v2/"), 405, "UNSUPPORTED");
        jetty(t, "CONNECT with a path", request("CONNECT", V2 + "library/alpine/manifests/3"), 400);
        jetty(t, "CONNECT host:port", request("CONNECT", "127.0.0.1:443"), 501);
        jetty(t, "method with @", request("G@T", V2 + "library/alpine/manifests/3"), 400);

        // --- unknown repositories and endpoints ------------------------------------------------------
        servlet(t, "unknown repository (v2)", get("/v2/nosuch/library/alpine/manifests/3"), 404, "NAME_UNKNOWN");
        servlet(t, "unknown repository (repo)", get("/repo/nosuch/v2/library/alpine/manifests/3"), 404, "NAME_UNKNOWN");
        servlet(t, "repository name in uppercase", get("/v2/HUB/library/alpine/manifests/3"), 404, "NAME_UNKNOWN");
        servlet(t, "repository name of 300 characters", get("/v2/" + "h".repeat(300) + "/x/manifests/3"), 404, "NAME_UNKNOWN");
        jetty(t, "missing repository", get("/repo//v2/library/alpine/manifests/3"), 400);
        servlet(t, "missing repository, no slash after it", get("/repo/"), 404, "NAME_UNKNOWN");
        servlet(t, "/v2/_catalog", get("/v2/_catalog"), 404, "NAME_UNKNOWN");
        servlet(t, "/repo/hub/v2/_catalog", get("/repo/hub/v2/_catalog"), 404, "UNSUPPORTED");
        servlet(t, "referrers with a malformed digest", get(V2 + "library/alpine/referrers/sha256:xyz"), 400,
                "DIGEST_INVALID");
        servlet(t, "unknown endpoint", get(V2 + "library/alpine/config/3"), 404, "NAME_UNKNOWN");
        servlet(t, "repo form without v2", get("/repo/hub/library/alpine/manifests/3"), 404, "NAME_UNKNOWN");

        // --- request line and framing ----------------------------------------------------------------
        jetty(t, "request line of 10 000 characters", get(V2 + "a/".repeat(5000) + "manifests/3"), 414);
        jetty(t, "header of 20 000 characters", get(V2 + "library/alpine/manifests/3", "Accept: " + "a".repeat(20_000)), 431);
        jetty(t, "HTTP/1.1 without Host", "GET " + V2 + "library/alpine/manifests/3 HTTP/1.1\r\nConnection: close\r\n\r\n", 400);
        jetty(t, "unknown HTTP version", "GET " + V2 + "library/alpine/manifests/3 HTTP/9.9\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 505);
        jetty(t, "space in the request target", "GET " + V2 + "library/alpine/manifests/3 x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 400);
        jetty(t, "Content-Length and Transfer-Encoding", request("GET", V2 + "library/alpine/manifests/3",
                "Content-Length: 5", "Transfer-Encoding: chunked"), 400);
        jetty(t, "two different Content-Lengths", request("GET", V2 + "library/alpine/manifests/3",
                "Content-Length: 0", "Content-Length: 5"), 400);
        jetty(t, "fragment in the request target", get(V2 + "library/alpine/manifests/3#x"), 400);

        return t.stream();
    }

    /** A row answered by binaryrepo's servlet. */
    private static void servlet(List<Named<Row>> t, String label, String raw, int status, String code) {
        t.add(Named.of(label, new Row(label, raw, status, Where.SERVLET, code)));
    }

    /** A row Jetty refuses before the servlet runs. */
    private static void jetty(List<Named<Row>> t, String label, String raw, int status) {
        t.add(Named.of(label, new Row(label, raw, status, Where.JETTY, null)));
    }

    static String get(String target, String... headers) {
        return request("GET", target, headers);
    }

    static String head(String target, String... headers) {
        return request("HEAD", target, headers);
    }

    static String request(String method, String target, String... headers) {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("Connection: close\r\n\r\n").toString();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void hostileRequest_refusedPrecisely(Row row) throws Exception {
        RawHttp.Response r = RawHttp.send(proxy.port(), row.raw());
        rowsRun.incrementAndGet();
        String what = "response: " + r;
        assertEquals(row.status(), r.status(), what);
        assertFalse(r.headers().containsKey("x-injected"), what);
        assertFalse(r.headers().containsKey("set-cookie"), what);
        String body = r.bodyText();
        assertFalse(body.contains("\tat ") || body.contains("Exception"), "no stack trace: " + what);
        JsonNode oci = ociError(r);
        if (row.where() == Where.JETTY) {
            assertTrue(oci == null, "expected Jetty to answer before the servlet: " + what);
            Matcher m = JETTY_TITLE.matcher(body);
            jettyAnswers.put(row.label(), r.status() + " " + (m.find() ? m.group(1) : r.statusLine()));
            return;
        }
        if (row.code() == null) {
            assertEquals(0, r.body().length, "HEAD has no body: " + what);
            assertEquals("application/json", r.header("content-type"), what);
            return;
        }
        assertNotNull(oci, "OCI error body expected: " + what);
        assertEquals(row.code(), oci.path("code").asText(), what);
        assertFalse(oci.path("message").asText().isBlank(), what);
        if (row.status() == 405) {
            assertNotNull(r.header("allow"), "405 names what is allowed: " + what);
        }
        if (row.status() == 416) {
            assertEquals("bytes */" + LAYER.length, r.header("content-range"), what);
        }
    }

    /** The first error of an OCI error body, or null when the body is not one. */
    private static JsonNode ociError(RawHttp.Response r) {
        String type = r.header("content-type");
        if (type == null || !type.startsWith("application/json") || r.body().length == 0) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(r.body());
            JsonNode e = n.path("errors").path(0);
            return e.isObject() && e.path("code").isTextual() && e.path("message").isTextual() ? e : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Order(2)
    @Test
    void afterTheTable_serverServes_nothingOutsideCacheRoot_upstreamUntouched() throws Exception {
        assertTrue(rowsRun.get() > 0, "the table runs first (method order); this test checks its aftermath");

        assertEquals(0, upstream.countPrefix(""), "no hostile request reached upstream: " + upstream.counts());
        assertEquals(tokenRequestsBefore, upstream.tokenRequests().size(), "no token request either");

        RawHttp.Response base = RawHttp.send(proxy.port(), get("/v2/"));
        assertEquals(200, base.status(), base.toString());
        assertEquals("{}", base.bodyText());
        RawHttp.Response cached = RawHttp.send(proxy.port(), get(V2 + "library/alpine/blobs/" + layer));
        assertEquals(200, cached.status());
        assertEquals(layer, FakeRegistry.sha256(cached.body()));
        assertEquals(0, upstream.countPrefix(""), "a cached blob needs no upstream: " + upstream.counts());

        assertEquals(sentinelBefore, listing(tmp, tmp.resolve("cache")), "files outside the cache root changed");
        for (Path root : List.of(tmp, tmp.getParent())) {
            try (Stream<Path> s = Files.walk(root, root.equals(tmp) ? Integer.MAX_VALUE : 1)) {
                List<Path> hits = s.filter(p -> p.getFileName() != null
                        && p.getFileName().toString().toLowerCase(Locale.ROOT).contains(TARGET)).toList();
                assertEquals(List.of(), hits, "traversal target created");
            }
        }

        // Contrast for the triple underscore row: a double underscore is a valid separator and goes upstream.
        RawHttp.Response dunder = RawHttp.send(proxy.port(), get(V2 + "library/al__pine/manifests/3"));
        assertEquals(404, dunder.status(), dunder.toString());
        assertEquals("MANIFEST_UNKNOWN", ociError(dunder).path("code").asText());
        assertEquals(1, upstream.countPrefix("GET /v2/library/al__pine/manifests/3"), upstream.counts());
    }

    /** Paths (relative) and sizes of every file and directory under {@code root} except {@code skip}'s tree. */
    private static Map<String, Long> listing(Path root, Path skip) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.startsWith(skip)) {
                    continue;
                }
                out.put(root.relativize(p).toString(), Files.isDirectory(p) ? -1L : Files.size(p));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * A minimal HTTP/1.1 client on a raw socket: writes the given bytes unchanged, reads one response
     * (Content-Length, chunked or until close). A response that does not come within 10 s fails the
     * test: a hang is a bug.
     */
    static final class RawHttp {
        private static final int TIMEOUT_MS = 10_000;

        record Response(String statusLine, int status, Map<String, String> headers, List<String> headerLines,
                byte[] body) {
            /** A header by lower-case name (the last one when repeated), or null. */
            String header(String name) {
                return headers.get(name);
            }

            String bodyText() {
                return new String(body, StandardCharsets.UTF_8);
            }

            /** Status line, headers and body exactly as received (body as UTF-8). */
            String text() {
                return statusLine + "\r\n" + String.join("\r\n", headerLines) + "\r\n\r\n" + bodyText();
            }

            @Override
            public String toString() {
                String t = text();
                return t.length() > 2000 ? t.substring(0, 2000) + "..." : t;
            }
        }

        static Response send(int port, String raw) throws IOException {
            return send(port, raw.getBytes(StandardCharsets.ISO_8859_1));
        }

        static Response send(int port, byte[] raw) throws IOException {
            boolean head = raw.length >= 5 && new String(raw, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                OutputStream out = s.getOutputStream();
                try {
                    out.write(raw);
                    out.flush();
                } catch (IOException e) {
                    // The server may answer and close while a large request is still being written.
                }
                InputStream in = s.getInputStream();
                try {
                    String statusLine = line(in);
                    if (statusLine == null) {
                        fail("connection closed without a response");
                    }
                    String[] parts = statusLine.split(" ", 3);
                    int status = Integer.parseInt(parts[1]);
                    Map<String, String> headers = new LinkedHashMap<>();
                    List<String> lines = new ArrayList<>();
                    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                        lines.add(l);
                        int c = l.indexOf(':');
                        headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
                    }
                    byte[] body;
                    if (head || status == 204 || status == 304) {
                        body = new byte[0];
                    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                        body = chunked(in);
                    } else if (headers.containsKey("content-length")) {
                        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
                    } else {
                        body = in.readAllBytes();
                    }
                    return new Response(statusLine, status, headers, lines, body);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no complete response within " + TIMEOUT_MS + " ms (hang)", e);
                }
            }
        }

        private static byte[] chunked(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
                if (n == 0) {
                    while (true) {
                        String trailer = line(in);
                        if (trailer == null || trailer.isEmpty()) {
                            return b.toByteArray();
                        }
                    }
                }
                b.write(in.readNBytes(n));
                line(in);
            }
        }

        /** A CRLF- (or LF-) terminated line as ISO-8859-1, or null at end of stream. */
        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int len = b.length();
                    return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
                }
                b.append((char) c);
            }
            return b.length() == 0 ? null : b.toString();
        }
    }
}
