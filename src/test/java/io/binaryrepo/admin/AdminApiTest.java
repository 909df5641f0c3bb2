package io.binaryrepo.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.binaryrepo.testing.AdminApi;
import io.binaryrepo.testing.AdminApi.Answer;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The admin API (issue 10) on Docker repositories: binaryrepo in embedded Jetty with the web.xml security
 * constraint and a realm, in front of an in-process registry that counts requests.
 */
class AdminApiTest extends ComponentTest {
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    private final TestUsers users = new TestUsers();
    private final TestUsers.User admin = users.add("ops", "binaryrepo-admin");
    private final TestUsers.User reader = users.add("ci", "binaryrepo-read");
    private FakeRegistry up;
    private ProxyServer proxy;
    private AdminApi api;

    private Path cache() {
        return tmp.resolve("cache");
    }

    /** binaryrepo with Docker repositories hub and hub2, both in front of one registry. */
    private void start() throws Exception {
        up = upstream(false);
        String yaml = "repositories:\n"
                + "  - name: hub\n    type: docker\n    url: " + up.url() + "\n    metadataTtl: 5m\n    readTimeout: 5s\n"
                + "  - name: hub2\n    type: docker\n    url: " + up.url() + "\n    metadataTtl: 5m\n    readTimeout: 5s\n"
                + "  - name: npm\n    type: npm\n    url: " + up.url() + "\n";
        proxy = closeAfter(ProxyServer.start(cache(), yaml, clock, Map.of(), users));
        api = new AdminApi(proxy.url(), admin.basic());
    }

    private void pull(String repo, FakeRegistry.Image img, String name, String tag) throws Exception {
        HttpResponse<byte[]> m = get(proxy, "/v2/" + repo + "/" + name + "/manifests/" + tag);
        assertEquals(200, m.statusCode(), new String(m.body()));
        for (String d : blobs(img)) {
            assertEquals(200, get(proxy, "/v2/" + repo + "/" + name + "/blobs/" + d).statusCode());
        }
    }

    private static List<String> blobs(FakeRegistry.Image img) {
        List<String> l = new ArrayList<>(img.layerDigests());
        l.add(img.configDigest());
        return l;
    }

    private Set<String> paths(String repo, String query) throws Exception {
        Answer a = api.get("/api/v1/repositories/" + repo + "/content" + query);
        assertEquals(200, a.status(), a.body());
        Set<String> paths = new HashSet<>();
        a.json().path("items").forEach(i -> paths.add(i.path("path").asText()));
        return paths;
    }

    @Test
    void adminApi_withoutCredentials_401_withoutRole_403() throws Exception {
        start();
        for (String path : List.of("/api/v1/repositories", "/api/v1/repositories/hub/content",
                "/api/v1/jobs/00000000000000000000000000000000")) {
            Answer anonymous = new AdminApi(proxy.url(), null).get(path);
            assertEquals(401, anonymous.status(), path);
            assertTrue(anonymous.response().headers().firstValue("WWW-Authenticate").orElse("").contains("binaryrepo"));
            assertEquals(403, new AdminApi(proxy.url(), reader.basic()).get(path).status(), path);
            assertEquals(401, new AdminApi(proxy.url(), TestUsers.User.basic(admin.name(), "wrong")).get(path).status());
        }
        assertEquals(403, new AdminApi(proxy.url(), reader.basic()).delete(
                "/api/v1/repositories/hub/content?path=library/alpine").status());
        // the dashboard's stats stay where they were, under the same constraint
        assertEquals(200, api.get("/api/v1/stats").status());
        assertEquals(401, new AdminApi(proxy.url(), null).get("/api/v1/stats").status());
    }

    @Test
    void repositories_listsEveryRepositoryWithEntriesAndBytes() throws Exception {
        start();
        byte[] layer = random(50_000, 1);
        FakeRegistry.Image img = up.putImage("library/alpine", "3", layer);
        pull("hub", img, "library/alpine", "3");
        Answer a = api.get("/api/v1/repositories");
        assertEquals(200, a.status(), a.body());
        assertEquals("application/json", a.response().headers().firstValue("Content-Type").orElseThrow());
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        a.json().forEach(r -> byName.put(r.path("name").asText(), r));
        assertEquals(Set.of("hub", "hub2", "npm"), byName.keySet());
        JsonNode hub = byName.get("hub");
        assertEquals("docker", hub.path("type").asText());
        assertEquals(up.url(), hub.path("url").asText().replaceAll("/$", ""));
        // tag record, manifest by digest, two links (layer and config) standing for their blobs
        assertEquals(4, hub.path("entries").asLong(), a.body());
        assertTrue(hub.path("bytes").asLong() > layer.length, a.body());
        assertEquals(0, byName.get("hub2").path("entries").asLong());
        assertEquals("npm", byName.get("npm").path("type").asText());
    }

    @Test
    void content_namesTagsManifestsAndBlobs_pagesWithCursor() throws Exception {
        start();
        byte[] layer = random(40_000, 2);
        FakeRegistry.Image img = up.putImage("library/alpine", "3.20", layer);
        pull("hub", img, "library/alpine", "3.20");
        Answer all = api.get("/api/v1/repositories/hub/content");
        assertEquals(200, all.status(), all.body());
        Map<String, JsonNode> items = new java.util.HashMap<>();
        all.json().path("items").forEach(i -> items.put(i.path("path").asText(), i));
        assertTrue(items.containsKey("library/alpine:3.20"), all.body());
        assertTrue(items.containsKey("library/alpine@" + img.manifestDigest()), all.body());
        JsonNode blob = items.get("library/alpine@" + img.layerDigests().get(0));
        assertEquals(layer.length, blob.path("bytes").asLong(), all.body());
        assertFalse(blob.path("lastAccess").asText().isEmpty());
        assertFalse(blob.path("fetched").asText().isEmpty());
        assertTrue(all.json().path("next").isNull());

        Set<String> paged = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Answer page = api.get("/api/v1/repositories/hub/content?limit=1"
                    + (cursor == null ? "" : "&cursor=" + AdminApi.q(cursor)));
            assertEquals(200, page.status(), page.body());
            assertEquals(1, page.json().path("items").size());
            paged.add(page.json().path("items").path(0).path("path").asText());
            cursor = page.json().path("next").isNull() ? null : page.json().path("next").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(items.keySet(), paged);
        assertEquals(items.size(), pages);
        assertEquals(items.keySet(), paths("hub", "?prefix=library/alp"));
        assertEquals(Set.of(), paths("hub", "?prefix=library/busybox"));
    }

    @Test
    void content_badInput_400_404() throws Exception {
        start();
        for (String q : List.of("?limit=0", "?limit=1001", "?limit=ten", "?cursor=!!", "?prefix=../x",
                "?cursor=" + AdminApi.q(java.util.Base64.getUrlEncoder().encodeToString("docker/repos/hub2/x".getBytes())))) {
            Answer a = api.get("/api/v1/repositories/hub/content" + q);
            assertEquals(400, a.status(), q + " " + a.body());
            assertFalse(a.json().path("error").asText().isEmpty(), a.body());
        }
        Answer unknown = api.get("/api/v1/repositories/nope/content");
        assertEquals(404, unknown.status());
        assertTrue(unknown.json().path("error").asText().contains("nope"));
        assertEquals(404, api.get("/api/v1/repositories/hub/other").status());
        assertEquals(404, api.get("/api/v1/nothing").status());
        Answer put = api.send("PUT", "/api/v1/repositories/hub/content", "{}");
        assertEquals(405, put.status());
        assertEquals("GET, DELETE", put.response().headers().firstValue("Allow").orElseThrow());
        assertFalse(put.json().path("error").asText().isEmpty());
        assertEquals(405, api.delete("/api/v1/repositories").status());
        assertEquals(405, api.get("/api/v1/repositories/hub/prefetch").status());
    }

    @Test
    void purgeTag_nextPullRefetchesTheManifestUnconditionally() throws Exception {
        start();
        FakeRegistry.Image img = up.putImage("library/alpine", "3.20", random(10_000, 3));
        pull("hub", img, "library/alpine", "3.20");
        up.resetCounts();
        Answer a = api.delete("/api/v1/repositories/hub/content?path=" + AdminApi.q("library/alpine:3.20"));
        assertEquals(200, a.status(), a.body());
        assertEquals(1, a.json().path("removed").asLong(), a.body());
        assertTrue(a.json().path("bytes").asLong() > 0);
        pull("hub", img, "library/alpine", "3.20");
        assertEquals(1, up.count("GET /v2/library/alpine/manifests/3.20"), up.counts());
        assertEquals(0, up.count("HEAD /v2/library/alpine/manifests/3.20"), up.counts());
        assertEquals(0, up.countPrefix("GET /v2/library/alpine/blobs/"), "blobs stay cached: " + up.counts());
    }

    @Test
    void purgeImage_removesTagsManifestsLinksAndUnsharedBlobs_keepsBlobsOtherRepositoriesLink() throws Exception {
        start();
        byte[] shared = random(30_000, 4);
        byte[] own = random(20_000, 5);
        FakeRegistry.Image alpine = up.putImage("library/alpine", "3", shared, own);
        FakeRegistry.Image other = up.putImage("library/other", "1", shared);
        pull("hub", alpine, "library/alpine", "3");
        pull("hub2", other, "library/other", "1");
        Answer a = api.delete("/api/v1/repositories/hub/content?path=library/alpine");
        assertEquals(200, a.status(), a.body());
        // tag, manifest, 3 links, the own layer and the config blob; the shared layer stays (hub2 links it)
        assertEquals(7, a.json().path("removed").asLong(), a.body());
        assertTrue(a.json().path("bytes").asLong() >= own.length);
        assertFalse(Files.exists(blobFile(cache(), alpine.layerDigests().get(1))));
        assertTrue(Files.exists(blobFile(cache(), alpine.layerDigests().get(0))));
        assertEquals(Set.of(), paths("hub", "?prefix=library/alpine"));

        up.resetCounts();
        pull("hub2", other, "library/other", "1");
        assertEquals(0, up.countPrefix("GET /v2/"), "hub2 still served from the cache: " + up.counts());
        pull("hub", alpine, "library/alpine", "3");
        assertEquals(1, up.count("GET /v2/library/alpine/manifests/3"), up.counts());
        assertEquals(1, up.count("GET /v2/library/alpine/blobs/" + alpine.layerDigests().get(1)), up.counts());
    }

    @Test
    void purgeDigest_removesTheManifestAndTheTagsPointingAtIt() throws Exception {
        start();
        FakeRegistry.Image img = up.putImage("library/alpine", "3", random(10_000, 6));
        pull("hub", img, "library/alpine", "3");
        Answer a = api.delete("/api/v1/repositories/hub/content?path="
                + AdminApi.q("library/alpine@" + img.manifestDigest()));
        assertEquals(200, a.status(), a.body());
        assertEquals(2, a.json().path("removed").asLong(), a.body());
        Set<String> left = paths("hub", "");
        assertFalse(left.contains("library/alpine:3"), left.toString());
        assertTrue(left.contains("library/alpine@" + img.layerDigests().get(0)), left.toString());
    }

    @Test
    void purge_malformedPath_400_deletesNothing() throws Exception {
        start();
        FakeRegistry.Image img = up.putImage("library/alpine", "3", random(10_000, 7));
        pull("hub", img, "library/alpine", "3");
        Set<String> before = paths("hub", "");
        for (String bad : List.of("Library/Alpine", "library/alpine:", "library/alpine@sha256:xyz", "../x", "a//b",
                "library/alpine:" + "t".repeat(200), "")) {
            Answer a = api.delete("/api/v1/repositories/hub/content?path=" + AdminApi.q(bad));
            assertEquals(400, a.status(), bad + " " + a.body());
            assertFalse(a.json().path("error").asText().isEmpty());
        }
        assertEquals(400, api.delete("/api/v1/repositories/hub/content").status());
        assertEquals(404, api.delete("/api/v1/repositories/nope/content?path=library/alpine").status());
        assertEquals(before, paths("hub", ""));
        assertTrue(Files.exists(blobFile(cache(), img.layerDigests().get(0))));
    }

    @Test
    void prefetch_cachesManifestAndBlobs_pullWorksWithUpstreamStopped() throws Exception {
        start();
        FakeRegistry.Image img = up.putImage("library/alpine", "3.20", random(60_000, 8), random(70_000, 9));
        JsonNode job = api.prefetch("hub", "{\"references\": [\"library/alpine:3.20\"]}");
        assertEquals("done", job.path("state").asText(), job.toString());
        assertEquals(4, job.path("total").asInt(), job.toString());
        assertEquals(4, job.path("done").asInt());
        assertTrue(job.path("bytes").asLong() >= 130_000, job.toString());
        assertEquals(0, job.path("errors").size());
        for (String d : blobs(img)) {
            assertTrue(Files.exists(blobFile(cache(), d)), d);
        }
        up.stop();
        pull("hub", img, "library/alpine", "3.20");
    }

    @Test
    void prefetch_index_fetchesOnlyTheRequestedPlatforms() throws Exception {
        start();
        FakeRegistry.Image amd = up.putImage("library/multi", "amd", random(10_000, 10));
        FakeRegistry.Image arm = up.putImage("library/multi", "arm", random(10_000, 11));
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + child(amd, "amd64") + "," + child(arm, "arm64") + "]}";
        up.putManifest("library/multi", "latest", OCI_INDEX, index.getBytes());
        JsonNode job = api.prefetch("hub", "{\"references\": [\"library/multi\"], \"platforms\": [\"linux/amd64\"]}");
        assertEquals("done", job.path("state").asText(), job.toString());
        assertEquals(4, job.path("total").asInt(), "index, one child, config, layer: " + job);
        assertTrue(Files.exists(blobFile(cache(), amd.layerDigests().get(0))));
        assertFalse(Files.exists(blobFile(cache(), arm.layerDigests().get(0))));
    }

    private static String child(FakeRegistry.Image img, String arch) {
        return "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + img.manifestDigest()
                + "\",\"size\":" + img.manifest().length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\""
                + arch + "\"}}";
    }

    @Test
    void prefetch_unknownImage_jobFailsWithTheError() throws Exception {
        start();
        JsonNode job = api.prefetch("hub", "{\"references\": [\"library/missing:1\"]}");
        assertEquals("failed", job.path("state").asText(), job.toString());
        assertEquals(1, job.path("errors").size());
        assertTrue(job.path("errors").path(0).asText().contains("library/missing"), job.toString());
    }

    @Test
    void prefetch_badInput_4xx() throws Exception {
        start();
        String url = "/api/v1/repositories/hub/prefetch";
        for (String body : List.of("not json", "[]", "{}", "{\"references\": []}", "{\"references\": \"x\"}",
                "{\"references\": [1]}", "{\"references\": [\"Library/X:1\"]}", "{\"references\": [\"a@sha256:1\"]}",
                "{\"references\": [\"library/a:1\"], \"platforms\": [\"linux\"]}")) {
            Answer a = api.post(url, body);
            assertEquals(400, a.status(), body + " " + a.body());
            assertFalse(a.json().path("error").asText().isEmpty());
        }
        Answer big = api.post(url, "{\"references\": [\"" + "a".repeat(70_000) + "\"]}");
        assertEquals(413, big.status(), big.body());
        assertEquals(404, api.post("/api/v1/repositories/nope/prefetch", "{\"references\": [\"a:1\"]}").status());
        Answer npm = api.post("/api/v1/repositories/npm/prefetch", "{\"references\": [\"lodash\"]}");
        assertEquals(400, npm.status(), npm.body());
        assertEquals(404, api.get("/api/v1/jobs/0123456789abcdef0123456789abcdef").status());
        assertEquals(404, api.get("/api/v1/jobs/../x").status());
        assertEquals(405, api.delete("/api/v1/jobs/0123456789abcdef0123456789abcdef").status());
    }
}
