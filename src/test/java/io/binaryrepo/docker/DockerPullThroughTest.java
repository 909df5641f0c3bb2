package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.FakeRegistry.BlobMode;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker pull-through cache as a client sees it: binaryrepo's servlet in embedded Jetty in front
 * of an in-process registry that counts requests and misbehaves on purpose.
 */
class DockerPullThroughTest extends ComponentTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private ProxyServer proxy(String yaml) throws Exception {
        return proxy(tmp.resolve("cache"), yaml);
    }

    private ProxyServer proxyFor(FakeRegistry up) throws Exception {
        return proxy("repositories:\n  - name: hub\n    type: docker\n    url: " + up.url()
                + "\n    metadataTtl: 5m\n    readTimeout: 5s\n");
    }

    private static byte[] random(int size) {
        return random(size, size);
    }

    private Path blobFile(String digest) {
        return blobFile(tmp.resolve("cache"), digest);
    }

    @Test
    void pullByTag_bothUrlForms_servesByteExactManifestAndBlobs() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/alpine", "3", random(100_000));
        ProxyServer p = proxyFor(up);

        for (String prefix : List.of("/v2/hub/", "/repo/hub/v2/")) {
            HttpResponse<byte[]> m = get(p, prefix + "library/alpine/manifests/3", "Accept", OCI_MANIFEST);
            assertEquals(200, m.statusCode());
            assertArrayEquals(img.manifest(), m.body());
            assertEquals(OCI_MANIFEST, m.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(img.manifestDigest(), m.headers().firstValue("Docker-Content-Digest").orElseThrow());
            assertEquals(String.valueOf(img.manifest().length), m.headers().firstValue("Content-Length").orElseThrow());
            HttpResponse<byte[]> b = get(p, prefix + "library/alpine/blobs/" + img.layerDigests().get(0));
            assertEquals(200, b.statusCode());
            assertEquals(img.layerDigests().get(0), FakeRegistry.sha256(b.body()));
        }
        assertEquals(200, get(p, "/v2/").statusCode());
        assertEquals("registry/2.0", get(p, "/v2/").headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
        // One upstream GET per manifest and blob, whichever URL form asked.
        assertEquals(1, up.count("GET /v2/library/alpine/manifests/3"));
        assertEquals(1, up.count("GET /v2/library/alpine/blobs/" + img.layerDigests().get(0)));
    }

    @Test
    void tokenAuth_anonymous_tokenFetchedOnceAndReused() throws Exception {
        FakeRegistry up = upstream(true);
        FakeRegistry.Image img = up.putImage("library/busybox", "latest", random(5000), random(7000));
        ProxyServer p = proxyFor(up);

        assertEquals(200, get(p, "/v2/hub/library/busybox/manifests/latest").statusCode());
        for (String layer : img.layerDigests()) {
            assertEquals(200, get(p, "/v2/hub/library/busybox/blobs/" + layer).statusCode());
        }
        assertEquals(200, get(p, "/v2/hub/library/busybox/blobs/" + img.configDigest()).statusCode());
        assertEquals(List.of("repository:library/busybox:pull|anon"), up.tokenRequests());
        // Only the very first request met a 401 (and was retried once); later ones carried the cached token.
        assertEquals(2, up.count("GET /v2/library/busybox/manifests/latest"));
        for (String layer : img.layerDigests()) {
            assertEquals(1, up.count("GET /v2/library/busybox/blobs/" + layer), up.counts());
        }
        clock.advance(Duration.ofMinutes(6));
        assertEquals(200, get(p, "/v2/hub/library/busybox/manifests/latest").statusCode());
        assertEquals(2, up.tokenRequests().size(), "an expired token is renewed before use: " + up.tokenRequests());
        assertEquals(1, up.count("HEAD /v2/library/busybox/manifests/latest"), "no 401 round trip after renewal");
    }

    @Test
    void tokenAuth_withCredentials_privateImagePulled_anonymousRepositoryDenied() throws Exception {
        FakeRegistry up = upstream(true);
        String user = "u" + UUID.randomUUID();
        String secret = UUID.randomUUID().toString();
        up.requireCredentials(user, secret);
        FakeRegistry.Image img = up.putImage("private/app", "1", random(3000));
        ProxyServer p = proxy("repositories:\n"
                + "  - name: authed\n    type: docker\n    url: " + up.url() + "\n    username: " + user
                + "\n    password: " + secret + "\n"
                + "  - name: anon\n    type: docker\n    url: " + up.url() + "\n");

        HttpResponse<byte[]> ok = get(p, "/v2/authed/private/app/manifests/1");
        assertEquals(200, ok.statusCode());
        assertArrayEquals(img.manifest(), ok.body());
        assertEquals(200, get(p, "/v2/authed/private/app/blobs/" + img.layerDigests().get(0)).statusCode());
        assertTrue(up.tokenRequests().contains("repository:private/app:pull|auth"), up.tokenRequests().toString());

        // The same content through a repository without credentials: upstream refuses, so must binaryrepo,
        // although manifest and blob are in the cache.
        HttpResponse<byte[]> tag = get(p, "/v2/anon/private/app/manifests/1");
        assertEquals(403, tag.statusCode());
        assertEquals("DENIED", errorCode(tag));
        HttpResponse<byte[]> byDigest = get(p, "/v2/anon/private/app/manifests/" + img.manifestDigest());
        assertEquals(403, byDigest.statusCode());
        HttpResponse<byte[]> blob = get(p, "/v2/anon/private/app/blobs/" + img.layerDigests().get(0));
        assertEquals(403, blob.statusCode());
        assertEquals("DENIED", errorCode(blob));
        String bodies = new String(tag.body()) + new String(blob.body());
        assertFalse(bodies.contains(secret), "error bodies must not contain the upstream password");
    }

    @Test
    void cachedContent_servedWithoutContactingUpstream() throws Exception {
        FakeRegistry up = upstream(false);
        // 1 MiB: large enough for the zero-copy paths (Jetty's mapped sendContent), checked byte for byte
        byte[] layer = random(1 << 20);
        FakeRegistry.Image img = up.putImage("library/redis", "7", layer);
        ProxyServer p = proxyFor(up);
        String blob = "/v2/hub/library/redis/blobs/" + img.layerDigests().get(0);
        String byDigest = "/v2/hub/library/redis/manifests/" + img.manifestDigest();
        assertEquals(200, get(p, "/v2/hub/library/redis/manifests/7").statusCode());
        assertEquals(200, get(p, blob).statusCode());

        up.stop();
        HttpResponse<byte[]> m = get(p, byDigest);
        assertEquals(200, m.statusCode());
        assertArrayEquals(img.manifest(), m.body());
        HttpResponse<byte[]> b = get(p, blob);
        assertEquals(200, b.statusCode());
        assertEquals(img.layerDigests().get(0), FakeRegistry.sha256(b.body()));
        assertArrayEquals(layer, b.body());
        HttpResponse<byte[]> head = send(p, "HEAD", blob);
        assertEquals(String.valueOf(1 << 20), head.headers().firstValue("Content-Length").orElseThrow());
        HttpResponse<byte[]> tag = get(p, "/v2/hub/library/redis/manifests/7");
        assertEquals(200, tag.statusCode(), "tag within its TTL is served from the cache");
        HttpResponse<byte[]> range = get(p, blob, "Range", "bytes=10-19");
        assertEquals(206, range.statusCode());
        assertEquals("bytes 10-19/1048576", range.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(10, range.body().length);
        HttpResponse<byte[]> big = get(p, blob, "Range", "bytes=1000-700999");
        assertEquals(206, big.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(layer, 1000, 701000), big.body());
    }

    @Test
    void tag_afterTtl_revalidatedWithHead_andChangedTagFollowed() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image v1 = up.putImage("library/nginx", "stable", random(1000));
        ProxyServer p = proxyFor(up);
        String tag = "/v2/hub/library/nginx/manifests/stable";
        assertEquals(v1.manifestDigest(), get(p, tag).headers().firstValue("Docker-Content-Digest").orElseThrow());

        clock.advance(Duration.ofMinutes(4));
        assertEquals(200, get(p, tag).statusCode());
        assertEquals(1, up.countPrefix("GET /v2/library/nginx/manifests/"));
        assertEquals(0, up.countPrefix("HEAD /v2/library/nginx/manifests/"));

        clock.advance(Duration.ofMinutes(2));
        assertEquals(v1.manifestDigest(), get(p, tag).headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals(1, up.countPrefix("HEAD /v2/library/nginx/manifests/"), "revalidated with one HEAD");
        assertEquals(1, up.countPrefix("GET /v2/library/nginx/manifests/"), "unchanged tag is not downloaded again");

        FakeRegistry.Image v2 = up.putImage("library/nginx", "stable", random(2000));
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<byte[]> r = get(p, tag);
        assertEquals(v2.manifestDigest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertArrayEquals(v2.manifest(), r.body());
    }

    @Test
    void tag_upstreamDownAfterTtl_staleTagServed() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/postgres", "16", random(1000));
        ProxyServer p = proxyFor(up);
        assertEquals(200, get(p, "/v2/hub/library/postgres/manifests/16").statusCode());
        up.stop();
        clock.advance(Duration.ofHours(3));
        HttpResponse<byte[]> r = get(p, "/v2/hub/library/postgres/manifests/16");
        assertEquals(200, r.statusCode());
        assertArrayEquals(img.manifest(), r.body());

        HttpResponse<byte[]> missing = get(p, "/v2/hub/library/postgres/manifests/17");
        assertEquals(502, missing.statusCode(), "nothing cached and upstream down");
        assertEquals("UNAVAILABLE", errorCode(missing));
    }

    @Test
    void twentyConcurrentRequests_oneUpstreamDownload_everyClientStreamsCorrectBytes() throws Exception {
        FakeRegistry up = upstream(false);
        byte[] layer = random(4 * 1024 * 1024);
        FakeRegistry.Image img = up.putImage("library/big", "1", layer);
        String digest = img.layerDigests().get(0);
        ProxyServer p = proxyFor(up);
        CountDownLatch gate = new CountDownLatch(1);
        up.blobGate = gate;

        int clients = 20;
        CountDownLatch firstBytes = new CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(pool.submit(() -> {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(p.url() + "/v2/hub/library/big/blobs/" + digest)).build();
                    HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                    assertEquals(200, r.statusCode());
                    try (InputStream in = r.body()) {
                        byte[] head = in.readNBytes(1024);
                        firstBytes.countDown();
                        byte[] rest = in.readAllBytes();
                        byte[] all = new byte[head.length + rest.length];
                        System.arraycopy(head, 0, all, 0, head.length);
                        System.arraycopy(rest, 0, all, head.length, rest.length);
                        return all;
                    }
                }));
            }
            // Every client has bytes while upstream is still held at half the blob.
            assertTrue(firstBytes.await(30, TimeUnit.SECONDS), "all clients receive bytes during the download");
            assertEquals(1, up.count("GET /v2/library/big/blobs/" + digest));
            gate.countDown();
            for (Future<byte[]> f : results) {
                assertArrayEquals(layer, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, up.count("GET /v2/library/big/blobs/" + digest));
        assertTrue(Files.exists(blobFile(digest)));
    }

    @Test
    void serveBlob_upstreamTruncates_abortsClientAndCommitsNothing() throws Exception {
        FakeRegistry up = upstream(false);
        byte[] layer = random(1024 * 1024);
        FakeRegistry.Image img = up.putImage("library/trunc", "1", layer);
        String digest = img.layerDigests().get(0);
        ProxyServer p = proxyFor(up);
        up.blobMode = BlobMode.TRUNCATE;

        String path = "/v2/hub/library/trunc/blobs/" + digest;
        assertThrows(IOException.class, () -> get(p, path), "a short body must break the response, not end it");
        assertFalse(Files.exists(blobFile(digest)));
        assertSpoolEmpty(tmp.resolve("cache"));

        up.blobMode = BlobMode.NORMAL;
        HttpResponse<byte[]> ok = get(p, path);
        assertEquals(200, ok.statusCode());
        assertArrayEquals(layer, ok.body());
        assertEquals(2, up.count("GET /v2/library/trunc/blobs/" + digest));
    }

    @Test
    void serveBlob_upstreamCorrupts_clientNeverGetsCompleteBodyAndNothingCommitted() throws Exception {
        FakeRegistry up = upstream(false);
        byte[] layer = random(300_000);
        FakeRegistry.Image img = up.putImage("library/corrupt", "1", layer);
        String digest = img.layerDigests().get(0);
        ProxyServer p = proxyFor(up);
        up.blobMode = BlobMode.CORRUPT;

        String path = "/v2/hub/library/corrupt/blobs/" + digest;
        assertThrows(IOException.class, () -> get(p, path));
        assertFalse(Files.exists(blobFile(digest)));
        assertSpoolEmpty(tmp.resolve("cache"));

        up.blobMode = BlobMode.NORMAL;
        assertArrayEquals(layer, get(p, path).body());
    }

    @Test
    void blobRedirectToCdn_authorizationNotForwarded() throws Exception {
        FakeRegistry up = upstream(true);
        byte[] layer = random(50_000);
        FakeRegistry.Image img = up.putImage("library/cdn", "1", layer);
        // The fake CDN is another port of 127.0.0.1 (loopback): allowed explicitly (issue 17).
        ProxyServer p = proxy("repositories:\n  - name: hub\n    type: docker\n    url: " + up.url()
                + "\n    readTimeout: 5s\n    allowedHosts: [\"" + up.cdnHost() + "\"]\n");
        up.blobMode = BlobMode.REDIRECT;

        HttpResponse<byte[]> r = get(p, "/v2/hub/library/cdn/blobs/" + img.layerDigests().get(0));
        assertEquals(200, r.statusCode());
        assertArrayEquals(layer, r.body());
        assertEquals(1, up.cdnRequests().size());
        assertNull(up.cdnRequests().get(0).get("authorization"), "Authorization must not reach another host");
        // The registry itself did get the token.
        assertTrue(up.tokenRequests().size() >= 1);
    }

    @Test
    void uncachedBlobHead_answeredFromUpstreamHeadWithoutDownloading() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/head", "1", random(12_345));
        ProxyServer p = proxyFor(up);
        String digest = img.layerDigests().get(0);
        HttpResponse<byte[]> r = send(p, "HEAD", "/v2/hub/library/head/blobs/" + digest);
        assertEquals(200, r.statusCode());
        assertEquals("12345", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(digest, r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals(0, up.count("GET /v2/library/head/blobs/" + digest));
        assertFalse(Files.exists(blobFile(digest)));
    }

    @Test
    void upstreamErrors_mappedToOciErrors() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/err", "1", random(1000));
        ProxyServer p = proxyFor(up);
        String blob = "/v2/hub/library/err/blobs/" + img.layerDigests().get(0);

        up.blobMode = BlobMode.RATE_LIMIT_429;
        HttpResponse<byte[]> limited = get(p, blob);
        assertEquals(429, limited.statusCode());
        assertEquals("TOOMANYREQUESTS", errorCode(limited));
        assertEquals("17", limited.headers().firstValue("Retry-After").orElseThrow());

        up.blobMode = BlobMode.FAIL_500;
        HttpResponse<byte[]> failed = get(p, blob);
        assertEquals(502, failed.statusCode());
        assertEquals("UNAVAILABLE", errorCode(failed));

        HttpResponse<byte[]> unknown = get(p, "/v2/hub/library/err/manifests/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("MANIFEST_UNKNOWN", errorCode(unknown));
        HttpResponse<byte[]> unknownBlob = get(p, "/v2/hub/library/err/blobs/sha256:" + "0".repeat(64));
        assertEquals(404, unknownBlob.statusCode());
        assertEquals("BLOB_UNKNOWN", errorCode(unknownBlob));
    }

    @Test
    void writesAndBadInput_answeredWithPreciseOciErrors() throws Exception {
        FakeRegistry up = upstream(false);
        ProxyServer p = proxyFor(up);
        HttpResponse<byte[]> put = send(p, "PUT", "/v2/hub/library/x/manifests/1");
        assertEquals(405, put.statusCode());
        assertEquals("UNSUPPORTED", errorCode(put));
        assertEquals("GET, HEAD", put.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, send(p, "POST", "/v2/hub/library/x/blobs/uploads/").statusCode());
        assertEquals(405, send(p, "DELETE", "/v2/hub/library/x/blobs/sha256:" + "a".repeat(64)).statusCode());

        HttpResponse<byte[]> digest = get(p, "/v2/hub/library/x/blobs/sha256:ABC");
        assertEquals(400, digest.statusCode());
        assertEquals("DIGEST_INVALID", errorCode(digest));
        HttpResponse<byte[]> name = get(p, "/v2/hub/Library/x/manifests/1");
        assertEquals(400, name.statusCode());
        assertEquals("NAME_INVALID", errorCode(name));
        HttpResponse<byte[]> traversal = get(p, "/v2/hub/library/%2e%2e/manifests/1");
        assertEquals(400, traversal.statusCode());
        HttpResponse<byte[]> repo = get(p, "/v2/nosuchrepo/library/x/manifests/1");
        assertEquals(404, repo.statusCode());
        assertEquals("NAME_UNKNOWN", errorCode(repo));
        assertEquals(0, up.countPrefix(""), "bad requests never reach upstream");
    }

    @Test
    void startup_removesSpoolLeftovers() throws Exception {
        Path spool = tmp.resolve("cache/.spool");
        Files.createDirectories(spool);
        Files.write(spool.resolve("dl-crashed.part"), new byte[1000]);
        FakeRegistry up = upstream(false);
        proxyFor(up);
        assertSpoolEmpty(tmp.resolve("cache"));
    }

    @Test
    void invalidConfiguration_webappDoesNotStart() {
        Exception e = assertThrows(Exception.class, () -> proxy("repositories:\n  - name: x\n    type: nosuch\n    url: http://127.0.0.1:1\n"));
        assertNotEquals(null, e.getMessage());
    }
}
