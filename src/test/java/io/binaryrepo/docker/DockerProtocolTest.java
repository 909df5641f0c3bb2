package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.ProxyServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Details of the OCI distribution spec binaryrepo answers as the spec says, whatever the upstream does. */
class DockerProtocolTest extends ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    private ProxyServer proxyFor(String url) throws Exception {
        return proxy(tmp.resolve("cache"), "repositories:\n  - name: hub\n    type: docker\n    url: " + url
                + "\n    metadataTtl: 5m\n    readTimeout: 5s\n");
    }

    private static List<String> tags(HttpResponse<byte[]> r) throws Exception {
        return JSON.convertValue(JSON.readTree(r.body()).path("tags"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
    }

    @Test
    void tagsList_upstreamUnsortedAndIgnoringN_answersLexicalPageWithLinkToTheClientsOwnPath() throws Exception {
        FakeRegistry up = upstream(false);
        for (String t : List.of("b", "d", "a", "c")) {
            up.putImage("team/app", t, random(10, t.charAt(0)));
        }
        ProxyServer p = proxyFor(up.url());
        assertEquals(List.of("a", "b", "c", "d"), tags(get(p, "/v2/hub/team/app/tags/list")));
        for (String path : List.of("/v2/hub/team/app/tags/list", "/repo/hub/v2/team/app/tags/list")) {
            HttpResponse<byte[]> page = get(p, path + "?n=2");
            assertEquals(200, page.statusCode());
            assertEquals(List.of("a", "b"), tags(page));
            assertEquals("team/app", JSON.readTree(page.body()).path("name").asText());
            assertEquals("<" + path + "?n=2&last=b>; rel=\"next\"", page.headers().firstValue("Link").orElseThrow());
            HttpResponse<byte[]> next = get(p, path + "?n=2&last=b");
            assertEquals(List.of("c", "d"), tags(next));
            assertTrue(next.headers().firstValue("Link").isEmpty(), "no page after the last");
        }
    }

    @Test
    void tagsList_nZero_emptyListWithoutAskingUpstream() throws Exception {
        FakeRegistry up = upstream(false);
        up.putImage("team/app", "1", random(10, 1));
        ProxyServer p = proxyFor(up.url());
        HttpResponse<byte[]> r = get(p, "/v2/hub/team/app/tags/list?n=0");
        assertEquals(200, r.statusCode());
        assertEquals(List.of(), tags(r));
        assertEquals(0, up.countPrefix("GET /v2/team/app/tags/list"));
    }

    @Test
    void tagsList_upstreamLink_rewrittenToTheClientsPath() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        up.put("/v2/team/app/tags/list?n=1", FakeUpstream.Route.ok("{\"name\":\"team/app\",\"tags\":[\"v1\"]}",
                "application/json").withHeader("Link", "</v2/team/app/tags/list?last=v1&n=1>; rel=\"next\""));
        ProxyServer p = proxyFor(up.url());
        HttpResponse<byte[]> r = get(p, "/repo/hub/v2/team/app/tags/list?n=1");
        assertEquals(List.of("v1"), tags(r));
        assertEquals("</repo/hub/v2/team/app/tags/list?last=v1&n=1>; rel=\"next\"",
                r.headers().firstValue("Link").orElseThrow());
    }

    @Test
    void referrers_upstreamWithoutTheApi_answers404SoClientsFallBackToTheTagSchema() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("team/app", "1", random(10, 1));
        ProxyServer p = proxyFor(up.url());
        HttpResponse<byte[]> r = get(p, "/v2/hub/team/app/referrers/" + img.manifestDigest());
        assertEquals(404, r.statusCode());
        assertEquals("MANIFEST_UNKNOWN", errorCode(r));
    }

    @Test
    void referrers_upstreamIndex_servedWithFiltersHeader_cached_andStaleWhenUpstreamFails() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        String subject = "sha256:" + "a".repeat(64);
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}";
        String path = "/v2/team/app/referrers/" + subject + "?artifactType=application%2Fvnd.dev.cosign";
        up.put(path, FakeUpstream.Route.ok(index, INDEX).withHeader("OCI-Filters-Applied", "artifactType"));
        ProxyServer p = proxyFor(up.url());
        String client = "/v2/hub/team/app/referrers/" + subject + "?artifactType=application%2Fvnd.dev.cosign";
        HttpResponse<byte[]> r = get(p, client);
        assertEquals(200, r.statusCode());
        assertEquals(index, new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(INDEX, r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("artifactType", r.headers().firstValue("OCI-Filters-Applied").orElseThrow());
        assertEquals(200, get(p, client).statusCode());
        assertEquals(1, up.count("GET", path), "cached within the TTL");
        clock.advance(Duration.ofMinutes(6));
        up.put(path, FakeUpstream.Route.status(503));
        HttpResponse<byte[]> stale = get(p, client);
        assertEquals(200, stale.statusCode(), "stale if error");
        assertEquals("artifactType", stale.headers().firstValue("OCI-Filters-Applied").orElseThrow());
    }

    @Test
    void manifestByTag_clientAcceptExcludingTheRecordedType_getsItsOwnRecord_withTtlAndStaleIfError() throws Exception {
        FakeUpstream up = closeAfter(FakeUpstream.start());
        byte[] oci = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        byte[] docker = ("{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        up.dynamic(s -> !s.path().equals("/v2/team/app/manifests/1") ? null
                : s.header("Accept") != null && s.header("Accept").contains(OCI_MANIFEST)
                        ? FakeUpstream.Route.ok(oci, OCI_MANIFEST) : FakeUpstream.Route.ok(docker, DOCKER_MANIFEST));
        ProxyServer p = proxyFor(up.url());
        assertArrayEquals(oci, get(p, "/v2/hub/team/app/manifests/1", "Accept", OCI_MANIFEST).body());
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> d = get(p, "/v2/hub/team/app/manifests/1", "Accept", DOCKER_MANIFEST);
            assertArrayEquals(docker, d.body());
            assertEquals(DOCKER_MANIFEST, d.headers().firstValue("Content-Type").orElseThrow());
        }
        assertEquals(2, up.count("GET", "/v2/team/app/manifests/1"), "one fetch per accepted-type set, then cached");
        clock.advance(Duration.ofMinutes(6));
        up.dynamic(s -> FakeUpstream.Route.status(500));
        HttpResponse<byte[]> stale = get(p, "/v2/hub/team/app/manifests/1", "Accept", DOCKER_MANIFEST);
        assertEquals(200, stale.statusCode(), "stale if error for that client too");
        assertArrayEquals(docker, stale.body());
    }

    @Test
    void manifestListingAnotherRepositorysPrivateBlob_doesNotMakeItServable() throws Exception {
        FakeRegistry priv = upstream(false);
        String user = "u" + System.nanoTime();
        String secret = java.util.UUID.randomUUID().toString();
        priv.requireCredentials(user, secret);
        FakeRegistry.Image secretImage = priv.putImage("private/app", "1", random(4000, 9));
        String blob = secretImage.layerDigests().get(0);
        // a crafted upstream: its manifest names the private blob, but it does not have the blob
        FakeUpstream evil = closeAfter(FakeUpstream.start());
        String crafted = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + blob + "\",\"size\":4000},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + blob
                + "\",\"size\":4000}]}";
        evil.put("/v2/evil/app/manifests/1", FakeUpstream.Route.ok(crafted, OCI_MANIFEST));
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n"
                + "  - name: authed\n    type: docker\n    url: " + priv.url() + "\n    username: " + user
                + "\n    password: " + secret + "\n"
                + "  - name: other\n    type: docker\n    url: " + evil.url() + "\n");
        assertEquals(200, get(p, "/v2/authed/private/app/blobs/" + blob).statusCode(), "cached through its own repository");
        assertEquals(200, get(p, "/v2/other/evil/app/manifests/1").statusCode());
        HttpResponse<byte[]> leak = get(p, "/v2/other/evil/app/blobs/" + blob);
        assertEquals(404, leak.statusCode(), "the other upstream never had the blob");
        assertEquals("BLOB_UNKNOWN", errorCode(leak));
        assertEquals(1, evil.count("HEAD", "/v2/evil/app/blobs/" + blob), "confirmed with one upstream HEAD");
    }
}
