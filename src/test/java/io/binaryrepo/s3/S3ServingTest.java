package io.binaryrepo.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.S3ProxyServer;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.LogCapture;
import io.binaryrepo.testing.ProxyServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * binaryrepo's servlet on the S3 backend (S3Proxy): cached blobs streamed from the bucket with ranges, or
 * redirected to a presigned URL; a second node on the same bucket serves without upstream; start-up and
 * readiness name the bucket parameter.
 */
class S3ServingTest extends ComponentTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void startS3() {
        server = S3ProxyServer.start(S3ProxyServer.Backend.TRANSIENT);
        // The SDK's default provider chain reads these first (as it would AWS_ACCESS_KEY_ID in production).
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
    }

    @AfterAll
    static void stopS3() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (server != null) {
            server.close();
        }
    }

    private ProxyServer node(String name, FakeRegistry up, String bucket, boolean redirect) throws Exception {
        Map<String, String> params = new HashMap<>(server.systemProperties(bucket, "nodes/"));
        params.put(S3Settings.REDIRECT, Boolean.toString(redirect));
        return closeAfter(ProxyServer.start(tmp.resolve(name), "repositories:\n  - name: hub\n    type: docker\n    url: "
                + up.url() + "\n    metadataTtl: 5m\n", clock, params));
    }

    @Test
    void cachedBlob_streamedFromTheBucket_withRanges_noLocalCopy() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/alpine", "3", random(300_000, 1));
        String bucket = server.newBucket();
        ProxyServer p = node("n1", up, bucket, false);
        String blob = "/v2/hub/library/alpine/blobs/" + img.layerDigests().get(0);
        byte[] layer = get(p, blob).body();
        assertEquals(img.layerDigests().get(0), FakeRegistry.sha256(layer));
        up.resetCounts();

        HttpResponse<byte[]> whole = get(p, blob);
        assertEquals(200, whole.statusCode());
        assertArrayEquals(layer, whole.body());
        HttpResponse<byte[]> part = get(p, blob, "Range", "bytes=1000-1999");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 1000-1999/300000", part.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(java.util.Arrays.copyOfRange(layer, 1000, 2000), part.body());
        assertEquals(0, up.countPrefix("GET /v2/library/alpine/blobs/"), up.counts());

        String hex = img.layerDigests().get(0).substring("sha256:".length());
        assertTrue(server.keys(bucket).contains("nodes/docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex),
                server.keys(bucket).toString());
        try (Stream<Path> local = Files.walk(tmp.resolve("n1"))) {
            assertEquals(List.of(), local.filter(Files::isRegularFile).toList(), "nothing cached on the local disk");
        }
    }

    @Test
    void secondNode_sameBucket_servesTheImageWithUpstreamStopped() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/busybox", "1", random(50_000, 2));
        String bucket = server.newBucket();
        ProxyServer first = node("n1", up, bucket, false);
        String manifest = "/v2/hub/library/busybox/manifests/1";
        String accept = "application/vnd.oci.image.manifest.v1+json";
        assertEquals(200, get(first, manifest, "Accept", accept).statusCode());
        String blob = "/v2/hub/library/busybox/blobs/" + img.layerDigests().get(0);
        assertEquals(200, get(first, blob).statusCode());
        up.stop();

        ProxyServer second = node("n2", up, bucket, false);
        HttpResponse<byte[]> m = get(second, manifest, "Accept", accept);
        assertEquals(200, m.statusCode());
        assertArrayEquals(img.manifest(), m.body());
        HttpResponse<byte[]> b = get(second, blob);
        assertEquals(200, b.statusCode());
        assertEquals(img.layerDigests().get(0), FakeRegistry.sha256(b.body()));
    }

    @Test
    void redirectOn_hitAnswers307ToAPresignedUrl_headStaysLocal_missStreams() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/redis", "7", random(120_000, 3));
        ProxyServer p = node("n1", up, server.newBucket(), true);
        String digest = img.layerDigests().get(0);
        String blob = "/v2/hub/library/redis/blobs/" + digest;
        HttpResponse<byte[]> miss = get(p, blob);
        assertEquals(200, miss.statusCode(), "a miss streams while it downloads");
        assertEquals(digest, FakeRegistry.sha256(miss.body()));

        HttpResponse<byte[]> hit = get(p, blob, "Authorization", "Basic dXNlcjpwYXNz");
        assertEquals(307, hit.statusCode());
        assertEquals(digest, hit.headers().firstValue("Docker-Content-Digest").orElseThrow());
        URI location = URI.create(hit.headers().firstValue("Location").orElseThrow());
        assertEquals(server.endpoint().getAuthority(), location.getAuthority());
        HttpResponse<byte[]> fromStore = client.send(HttpRequest.newBuilder(location).header("Range", "bytes=0-99").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, fromStore.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(miss.body(), 0, 100), fromStore.body());

        HttpResponse<byte[]> head = send(p, "HEAD", blob);
        assertEquals(200, head.statusCode());
        assertEquals("120000", head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void startUp_missingBucket_stopsWithOneMessageNamingTheParameter() throws Exception {
        FakeRegistry up = upstream(false);
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            assertThrows(Exception.class, () -> node("n1", up, "no-such-bucket", false));
            List<String> errors = log.messages(Level.SEVERE, "BinaryrepoListener");
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains(S3Settings.BUCKET) && errors.get(0).contains("no-such-bucket"), errors.get(0));
        }
    }

    @Test
    void readiness_bucketBecomesUnreachable_reportsTheBucket() throws Exception {
        FakeRegistry up = upstream(false);
        String bucket = server.newBucket();
        ProxyServer p = node("n1", up, bucket, false);
        assertEquals(200, get(p, "/health/ready").statusCode());
        try (S3Client s3 = server.client()) {
            s3.deleteBucket(b -> b.bucket(bucket));
        }
        HttpResponse<byte[]> down = get(p, "/health/ready");
        assertEquals(503, down.statusCode());
        String body = new String(down.body());
        assertTrue(body.contains(S3Settings.BUCKET) && body.contains(bucket), body);
        server.createBucket(bucket);
        assertEquals(200, get(p, "/health/ready").statusCode());
        assertFalse(new String(get(p, "/health/ready").body()).contains("DOWN"));
    }

    @Test
    void uploadFails_clientStillGetsTheVerifiedBytes_nothingVisible_nextRequestCachesIt() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/nginx", "1", random(400_000, 4));
        String bucket = server.newBucket();
        ProxyServer p = node("n1", up, bucket, false);
        try (S3Client s3 = server.client()) {
            s3.deleteBucket(b -> b.bucket(bucket)); // every upload now fails
        }
        String digest = img.layerDigests().get(0);
        String blob = "/v2/hub/library/nginx/blobs/" + digest;
        HttpResponse<byte[]> first = get(p, blob);
        assertEquals(200, first.statusCode());
        assertEquals(digest, FakeRegistry.sha256(first.body()));
        server.createBucket(bucket);
        assertEquals(List.of(), server.keys(bucket), "nothing visible after the failed upload");

        HttpResponse<byte[]> second = get(p, blob);
        assertEquals(200, second.statusCode());
        assertEquals(digest, FakeRegistry.sha256(second.body()));
        String hex = digest.substring("sha256:".length());
        assertTrue(server.keys(bucket).contains("nodes/docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex),
                "the next request tried again and cached it: " + server.keys(bucket));
    }
}
