package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import io.binaryrepo.testing.TestUsers.User;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-repository access (issue 12) in embedded Jetty with a real login service (a generated realm file):
 * anonymous, wrong password, right password without the role, right role, {@code roles: [team-a]};
 * manifests by tag and by digest and blobs, before and after they are cached; the Docker ping that
 * {@code podman login} checks; the admin API constraint; how often the realm is asked.
 */
class AccessControlTest extends ComponentTest {
    private static final String OCI = "application/vnd.oci.image.manifest.v1+json";

    private final TestUsers users = new TestUsers();
    private final User reader = users.add("reader", "binaryrepo-read");
    private final User noRoles = users.add("noroles");
    private final User teamA = users.add("alice", "team-a");
    private final User admin = users.add("admin", "binaryrepo-admin");
    private FakeRegistry up;
    private FakeRegistry.Image privateImage;
    private FakeRegistry.Image publicImage;
    private ProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        String upUser = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        String upPassword = "up-" + UUID.randomUUID();
        up = upstream(true);
        up.requireCredentials(upUser, upPassword);
        privateImage = up.putImage("private/app", "1", random(20_000, 1));
        publicImage = up.putImage("library/pub", "1", random(10_000, 2));
        String creds = "    url: " + up.url() + "\n    username: " + upUser + "\n    password: " + upPassword + "\n";
        proxy = closeAfter(ProxyServer.start(tmp.resolve("cache"), "repositories:\n"
                + "  - name: pub\n    type: docker\n    url: " + up.url() + "\n"
                + "  - name: priv\n    type: docker\n    access: authenticated\n" + creds
                + "  - name: team\n    type: docker\n    roles: [team-a]\n" + creds, clock, Map.of(), users));
    }

    private HttpResponse<byte[]> as(User u, String path) throws Exception {
        return u == null ? get(proxy, path, "Accept", OCI) : get(proxy, path, "Accept", OCI, "Authorization", u.basic());
    }

    private List<String> privatePaths(String repo) {
        String p = "/v2/" + repo + "/private/app/";
        return List.of(p + "manifests/1", p + "manifests/" + privateImage.manifestDigest(),
                p + "blobs/" + privateImage.layerDigests().get(0), "/repo/" + repo + "/v2/private/app/manifests/1",
                "/repo/" + repo + "/v2/");
    }

    private void assertUnauthorized(HttpResponse<byte[]> r) throws Exception {
        assertEquals(401, r.statusCode(), () -> r.uri() + ": " + new String(r.body()));
        assertEquals("Basic realm=\"binaryrepo\"", r.headers().firstValue("WWW-Authenticate").orElse(null), r.uri()::toString);
        assertEquals("UNAUTHORIZED", errorCode(r));
    }

    private void assertDenied(HttpResponse<byte[]> r) throws Exception {
        assertEquals(403, r.statusCode(), () -> r.uri() + ": " + new String(r.body()));
        assertEquals("DENIED", errorCode(r));
    }

    /** Every refusal, before anything is cached and after: nothing reaches the upstream or the cache. */
    private void assertRefusals(String repo, User withoutRole) throws Exception {
        User wrongPassword = new User(reader.name(), "wrong-" + UUID.randomUUID(), List.of());
        User unknown = new User("nobody-" + UUID.randomUUID(), reader.password(), List.of());
        int upstreamRequests = up.countPrefix("");
        for (String path : privatePaths(repo)) {
            assertUnauthorized(as(null, path));
            assertUnauthorized(as(wrongPassword, path));
            assertUnauthorized(as(unknown, path));
            assertUnauthorized(get(proxy, path, "Authorization", "Basic %%%"));
            assertUnauthorized(get(proxy, path, "Authorization", "Bearer " + UUID.randomUUID()));
            assertDenied(as(withoutRole, path));
            assertDenied(as(noRoles, path));
        }
        assertEquals(upstreamRequests, up.countPrefix(""), up::counts);
    }

    private void assertServed(String repo, User u) throws Exception {
        List<String> paths = privatePaths(repo);
        HttpResponse<byte[]> byTag = as(u, paths.get(0));
        assertEquals(200, byTag.statusCode(), () -> new String(byTag.body()));
        assertArrayEquals(privateImage.manifest(), byTag.body());
        HttpResponse<byte[]> byDigest = as(u, paths.get(1));
        assertEquals(200, byDigest.statusCode());
        assertArrayEquals(privateImage.manifest(), byDigest.body());
        HttpResponse<byte[]> blob = as(u, paths.get(2));
        assertEquals(200, blob.statusCode());
        assertEquals(privateImage.layerDigests().get(0), FakeRegistry.sha256(blob.body()));
        assertEquals(200, as(u, paths.get(3)).statusCode());
        assertEquals(200, as(u, paths.get(4)).statusCode());
    }

    @Test
    void authenticatedRepository_refusedUncachedAndCached_servedToReadRole() throws Exception {
        assertRefusals("priv", teamA);
        assertServed("priv", reader);
        assertTrue(Files.exists(blobFile(tmp.resolve("cache"), privateImage.layerDigests().get(0))));

        assertRefusals("priv", teamA); // now everything is cached: still nothing for them
        up.resetCounts();
        assertServed("priv", reader);
        assertEquals(0, up.countPrefix("GET /v2/private/app/blobs/"), up::counts);
    }

    @Test
    void rolesRepository_servedToTeamRoleOnly_notToReadRole() throws Exception {
        assertRefusals("team", reader);
        assertServed("team", teamA);
        assertRefusals("team", reader);
        assertServed("team", teamA);
    }

    @Test
    void deniedMessage_namesUserRepositoryAndNeededRoles() throws Exception {
        HttpResponse<byte[]> r = as(reader, "/v2/team/private/app/manifests/1");
        assertDenied(r);
        String body = new String(r.body());
        assertTrue(body.contains("user 'reader' may not read repository 'team'") && body.contains("team-a"), body);
        assertTrue(!body.contains(reader.password()), body);
    }

    @Test
    void anonymousRepository_servedWithoutAndWithAnyCredentials() throws Exception {
        String path = "/v2/pub/library/pub/manifests/1";
        User stale = new User(reader.name(), "stale-" + UUID.randomUUID(), List.of());
        for (User u : new User[] {null, reader, stale, noRoles}) {
            HttpResponse<byte[]> r = as(u, path);
            assertEquals(200, r.statusCode(), () -> u + ": " + new String(r.body()));
            assertArrayEquals(publicImage.manifest(), r.body());
        }
        // podman's retry after a 401 ping carries empty Basic credentials ("Og==" is ":")
        assertEquals(200, get(proxy, path, "Accept", OCI, "Authorization", "Basic Og==").statusCode());
        assertEquals(200, get(proxy, "/repo/pub/v2/").statusCode());
    }

    @Test
    void anonymousRepository_doesNotOpenPrivateUpstreamContent() throws Exception {
        // the public repository has no upstream credentials: the private image is refused by the upstream
        assertServed("priv", reader);
        HttpResponse<byte[]> r = as(null, "/v2/pub/private/app/manifests/" + privateImage.manifestDigest());
        assertTrue(r.statusCode() == 401 || r.statusCode() == 403 || r.statusCode() == 404, () -> r.statusCode()
                + " " + new String(r.body()));
    }

    @Test
    void ping_withProtectedDockerRepository_needsValidLoginOfAnyUser() throws Exception {
        HttpResponse<byte[]> anonymous = get(proxy, "/v2/");
        assertUnauthorized(anonymous);
        assertEquals("registry/2.0", anonymous.headers().firstValue("Docker-Distribution-API-Version").orElse(null));
        assertUnauthorized(get(proxy, "/v2/", "Authorization", TestUsers.User.basic(reader.name(), "x" + reader.password())));
        assertUnauthorized(get(proxy, "/v2/", "Authorization", "Basic Og=="));
        for (User u : users.all()) {
            HttpResponse<byte[]> r = get(proxy, "/v2/", "Authorization", u.basic());
            assertEquals(200, r.statusCode(), u::toString);
            assertEquals("{}", new String(r.body()));
        }
    }

    @Test
    void ping_withoutProtectedDockerRepository_staysOpen() throws Exception {
        ProxyServer open = closeAfter(ProxyServer.start(tmp.resolve("cache2"), "repositories:\n"
                + "  - name: pub\n    type: docker\n    url: " + up.url() + "\n", clock, Map.of(), users));
        assertEquals(200, get(open, "/v2/").statusCode());
    }

    @Test
    void loginCache_realmAskedOncePerTtl_failuresAlwaysAsked() throws Exception {
        int before = proxy.realmLogins();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, as(reader, "/v2/priv/private/app/manifests/1").statusCode());
        }
        assertEquals(before + 1, proxy.realmLogins());

        clock.advance(Duration.ofSeconds(61)); // default TTL 60 s
        assertEquals(200, as(reader, "/v2/priv/private/app/manifests/1").statusCode());
        assertEquals(before + 2, proxy.realmLogins());

        User wrong = new User(reader.name(), "wrong-" + UUID.randomUUID(), List.of());
        for (int i = 0; i < 3; i++) {
            assertUnauthorized(as(wrong, "/v2/priv/private/app/manifests/1"));
        }
        assertEquals(before + 5, proxy.realmLogins(), "failed logins are not cached (LockOutRealm must count them)");
    }

    @Test
    void loginCache_disabledByZeroTtl_realmAskedEachTime() throws Exception {
        ProxyServer noCache = closeAfter(ProxyServer.start(tmp.resolve("cache3"), "repositories:\n"
                + "  - name: priv\n    type: docker\n    access: authenticated\n    url: " + up.url() + "\n", clock,
                Map.of(AccessControl.CACHE_TTL, "0s"), users));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(noCache, "/v2/", "Authorization", reader.basic()).statusCode());
        }
        assertEquals(3, noCache.realmLogins());
    }

    @Test
    void adminApi_needsAdminRole_whateverTheRepositories() throws Exception {
        assertEquals(401, get(proxy, "/api/v1/repositories").statusCode());
        assertEquals(403, get(proxy, "/api/v1/repositories", "Authorization", reader.basic()).statusCode());
        // past the constraint: the admin API (issue 10)
        assertEquals(200, get(proxy, "/api/v1/repositories", "Authorization", admin.basic()).statusCode());
    }
}
