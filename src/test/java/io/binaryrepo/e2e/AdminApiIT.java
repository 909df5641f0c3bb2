package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.binaryrepo.testing.AdminApi;
import io.binaryrepo.testing.TestUsers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The admin API (issue 10) in a real Tomcat with the UserDatabaseRealm of tomcat-conf/ (users in a
 * tomcat-users.xml), in front of the CNCF registry with token authentication, with podman as the client:
 * 401/403, listing, a purged tag and a purged image pulled again from upstream (counted in the registry's
 * access log), and a prefetched image pulled with the registry stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiIT {
    private final TestUsers users = new TestUsers();
    private final TestUsers.User admin = users.add("ops", "binaryrepo-admin");
    private final TestUsers.User reader = users.add("ci", "binaryrepo-read");
    private Path work;
    private TokenIssuer issuer;
    private CncfRegistry registry;
    private TestImages.PushedImage small;
    private TestImages.PushedImage prefetched;
    private TomcatDeployment tomcat;
    private String host;
    private AdminApi api;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    void setUp() throws Exception {
        try {
            work = TempDirs.create("e2e-admin-");
            issuer = TokenIssuer.withRandomCredentials();
            registry = CncfRegistry.withTokenAuth(issuer);
            small = TestImages.small(registry, "library/small:1");
            prefetched = TestImages.small(registry, "library/prefetched:2");
            Path config = Files.writeString(work.resolve("repositories.yaml"), "repositories:\n"
                    + "  - name: docker-remote\n    type: docker\n    url: " + registry.url() + "\n"
                    // the token issuer is another port of 127.0.0.1 (loopback): allowed explicitly (issue 17)
                    + "    allowedHosts: [\"127.0.0.1:" + issuer.port() + "\"]\n");
            Path usersFile = users.writeTomcatUsers(work.resolve("tomcat-users.xml"));
            tomcat = TomcatDeployment.start(work.resolve("tomcat-base"), work.resolve("cache"), config, java.util.Map.of(),
                    "--users", usersFile.toString());
            host = "127.0.0.1:" + tomcat.port();
            api = new AdminApi("http://" + host, admin.basic());
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.close();
            }
        } finally {
            for (int i = closeables.size() - 1; i >= 0; i--) {
                closeables.get(i).close();
            }
            if (registry != null) {
                registry.close();
            }
            if (issuer != null) {
                issuer.close();
            }
            if (work != null) {
                TempDirs.deleteRecursively(work);
            }
        }
    }

    /** Pulls with a podman of its own (empty image store), so every pull asks binaryrepo for everything. */
    private String pull(TestImages.PushedImage image) throws Exception {
        Podman p = new Podman();
        closeables.add(p);
        return step("podman pull " + image.repository(), () -> p.pull(host + "/docker-remote/" + image.repository()
                + ":" + image.tag()));
    }

    private <T> T step(String what, java.util.concurrent.Callable<T> action) throws Exception {
        try {
            return action.call();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(what + " failed: " + e.getMessage() + "\n--- Tomcat log ---\n" + tomcat.log(), e);
        }
    }

    /** How many GETs for {@code path} the registry's access log shows. */
    private int registryGets(String path) {
        Matcher m = Pattern.compile("\"GET " + Pattern.quote(path) + " HTTP").matcher(registry.logText());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    @Order(1)
    void adminApi_withoutCredentials401_withoutRole403_withRoleListsRepositories() throws Exception {
        AdminApi.Answer anonymous = new AdminApi("http://" + host, null).get("/api/v1/repositories");
        assertEquals(401, anonymous.status());
        assertTrue(anonymous.response().headers().firstValue("WWW-Authenticate").orElse("").contains("binaryrepo"));
        assertEquals(403, new AdminApi("http://" + host, reader.basic()).get("/api/v1/repositories").status());
        assertEquals(403, new AdminApi("http://" + host, reader.basic())
                .delete("/api/v1/repositories/docker-remote/content?path=library/small").status());
        AdminApi.Answer list = api.get("/api/v1/repositories");
        assertEquals(200, list.status(), list.body());
        assertEquals("docker-remote", list.json().path(0).path("name").asText());
        assertEquals("docker", list.json().path(0).path("type").asText());
        assertEquals(0, list.json().path(0).path("entries").asLong());
        assertEquals(200, api.get("/api/v1/stats").status(), "the dashboard's stats are still served");
    }

    @Test
    @Order(2)
    void pulledImage_isListed_withItsSize() throws Exception {
        assertEquals(small.digest(), pull(small));
        AdminApi.Answer content = api.get("/api/v1/repositories/docker-remote/content?prefix=library/small");
        assertEquals(200, content.status(), content.body());
        List<String> paths = new ArrayList<>();
        content.json().path("items").forEach(i -> paths.add(i.path("path").asText()));
        assertTrue(paths.contains("library/small:1"), paths.toString());
        AdminApi.Answer repos = api.get("/api/v1/repositories");
        JsonNode repo = repos.json().path(0);
        assertTrue(repo.path("entries").asLong() >= 4, repos.body());
        assertTrue(repo.path("bytes").asLong() > 1000, repos.body());
    }

    @Test
    @Order(3)
    void purgedTag_nextPullFetchesTheManifestFromUpstreamAgain() throws Exception {
        String manifest = "/v2/library/small/manifests/1";
        int before = registryGets(manifest);
        assertEquals(small.digest(), pull(small));
        assertEquals(before, registryGets(manifest), "a cached tag is not fetched again within its TTL");
        AdminApi.Answer purge = api.delete("/api/v1/repositories/docker-remote/content?path="
                + AdminApi.q("library/small:1"));
        assertEquals(200, purge.status(), purge.body());
        assertTrue(purge.json().path("removed").asLong() >= 1, purge.body());
        assertEquals(small.digest(), pull(small));
        assertEquals(before + 1, registryGets(manifest), "the purged tag was fetched again");
    }

    @Test
    @Order(4)
    void purgedImage_blobsAreDeleted_andPulledFromUpstreamAgain() throws Exception {
        AdminApi.Answer purge = api.delete("/api/v1/repositories/docker-remote/content?path=library/small");
        assertEquals(200, purge.status(), purge.body());
        assertTrue(purge.json().path("bytes").asLong() > 1000, purge.body());
        AdminApi.Answer content = api.get("/api/v1/repositories/docker-remote/content?prefix=library/small");
        assertEquals(0, content.json().path("items").size(), content.body());
        int blobGets = registryGets("/v2/library/small/blobs/" + small.config().digest());
        assertEquals(small.digest(), pull(small));
        assertEquals(blobGets + 1, registryGets("/v2/library/small/blobs/" + small.config().digest()));
    }

    @Test
    @Order(5)
    void malformedPurge_400_deletesNothing() throws Exception {
        AdminApi.Answer bad = api.delete("/api/v1/repositories/docker-remote/content?path=" + AdminApi.q("Library/Small"));
        assertEquals(400, bad.status(), bad.body());
        assertFalse(bad.json().path("error").asText().isEmpty());
        assertEquals(404, api.delete("/api/v1/repositories/nope/content?path=library/small").status());
        AdminApi.Answer content = api.get("/api/v1/repositories/docker-remote/content?prefix=library/small");
        assertTrue(content.json().path("items").size() >= 4, content.body());
    }

    @Test
    @Order(6)
    void prefetchedImage_pullsWithTheUpstreamStopped() throws Exception {
        JsonNode job = api.prefetch("docker-remote", "{\"references\": [\"library/prefetched:2\"],"
                + " \"platforms\": [\"linux/amd64\"]}");
        assertEquals("done", job.path("state").asText(), job.toString());
        assertEquals(job.path("total").asInt(), job.path("done").asInt(), job.toString());
        assertTrue(job.path("total").asInt() >= 3, job.toString());
        registry.stop();
        try {
            assertEquals(prefetched.digest(), pull(prefetched));
        } finally {
            registry.start();
        }
    }
}
