package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.TestUsers;
import io.binaryrepo.testing.TestUsers.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Client authentication (issue 12) with real clients against the WAR in a real Tomcat whose realm the
 * subclass provides (tomcat-users.xml, LDAP): {@code podman login} with a wrong and the right password,
 * pulls from protected repositories by tag and by digest, uncached and cached, refused without the role,
 * and anonymous pulls from a public repository on the same server with podman, skopeo and ctr.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AccessScenarios {
    protected Path work;
    protected final TestUsers users = new TestUsers();
    protected final User reader = users.add("reader", "binaryrepo-read");
    protected final User alice = users.add("alice", "team-a");
    protected final User noRoles = users.add("noroles");
    private TokenIssuer issuer;
    private CncfRegistry registry;
    private TestImages.PushedImage small;
    private TestImages.PushedImage secret;
    private TomcatDeployment tomcat;
    private String host;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** Starts Tomcat with {@code config}, {@code storage} and a realm holding {@link #users}. */
    protected abstract TomcatDeployment deploy(Path config, Path storage) throws Exception;

    /** Stops what {@link #deploy} started besides Tomcat (e.g. the LDAP server). */
    protected void stopRealm() {
    }

    @BeforeAll
    void setUp() throws Exception {
        try {
            work = TempDirs.create("e2e-access-");
            issuer = TokenIssuer.withRandomCredentials();
            registry = CncfRegistry.withTokenAuth(issuer);
            small = TestImages.small(registry, "library/small:1");
            secret = TestImages.small(registry, "private/secret:1");
            // The token issuer is another port of 127.0.0.1 (loopback): allowed explicitly (issue 17).
            String allowIssuer = "    allowedHosts: [\"127.0.0.1:" + issuer.port() + "\"]\n";
            String upstreamCreds = "    url: " + registry.url() + "\n    username: " + issuer.username()
                    + "\n    password: " + issuer.password() + "\n" + allowIssuer;
            Path config = Files.writeString(work.resolve("repositories.yaml"), "repositories:\n"
                    + "  - name: pub\n    type: docker\n    url: " + registry.url() + "\n" + allowIssuer
                    + "  - name: priv\n    type: docker\n    access: authenticated\n" + upstreamCreds
                    + "  - name: team\n    type: docker\n    roles: [team-a]\n" + upstreamCreds);
            tomcat = deploy(config, work.resolve("cache"));
            host = "127.0.0.1:" + tomcat.port();
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
            stopRealm();
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

    private Podman podman() {
        Podman p = new Podman();
        closeables.add(p);
        return p;
    }

    private <T> T step(String what, java.util.concurrent.Callable<T> action) throws Exception {
        try {
            return action.call();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(what + " failed: " + e.getMessage() + "\n--- Tomcat log ---\n" + tomcat.log(), e);
        }
    }

    private static ExternalProcess.Result login(Podman p, String host, String user, String password) {
        return p.podman("login", "--tls-verify=false", "--username", user, "--password", password, host);
    }

    private static void assertRefused(String output, String... anyOf) {
        String lower = output.toLowerCase(Locale.ROOT);
        assertTrue(Stream.of(anyOf).anyMatch(lower::contains), output);
    }

    @Test
    @Order(1)
    void podmanLogin_wrongPasswordFails_rightPasswordSucceeds() throws Exception {
        Podman p = podman();
        ExternalProcess.Result wrong = login(p, host, reader.name(), "wrong-" + UUID.randomUUID());
        assertFalse(wrong.succeeded(), wrong.output());
        assertRefused(wrong.output(), "unauthorized", "invalid username/password", "401");
        ExternalProcess.Result unknown = login(p, host, "nobody-" + UUID.randomUUID(), reader.password());
        assertFalse(unknown.succeeded(), unknown.output());
        ExternalProcess.Result right = step("podman login", () -> login(p, host, reader.name(), reader.password()));
        assertTrue(right.succeeded(), right.output());
        assertTrue(right.output().contains("Login Succeeded"), right.output());
        // a valid user without any binaryrepo role may log in; the repositories decide what it may pull
        ExternalProcess.Result noRole = login(podman(), host, noRoles.name(), noRoles.password());
        assertTrue(noRole.succeeded(), noRole.output());
    }

    @Test
    @Order(2)
    void protectedRepository_anonymousPullRefused_beforeAnythingIsCached() {
        String refused = podman().pullFails(host + "/priv/private/secret:1");
        assertRefused(refused, "unauthorized", "authentication required");
        ExternalProcess.Result skopeo = new Skopeo().tryInspectRaw(host + "/priv/private/secret:1");
        assertFalse(skopeo.succeeded(), skopeo.output());
        assertRefused(skopeo.output(), "unauthorized", "authentication required");
    }

    @Test
    @Order(3)
    void protectedRepository_podmanLoginThenPull_digestEqualsUpstream() throws Exception {
        Podman p = podman();
        assertTrue(login(p, host, reader.name(), reader.password()).succeeded());
        String digest = step("podman pull after podman login", () -> p.pull(host + "/priv/private/secret:1"));
        assertEquals(secret.digest(), digest);
        String skopeo = step("skopeo --creds", () -> new Skopeo().withCreds(reader.name(), reader.password())
                .inspectDigest(host + "/priv/private/secret@" + secret.digest()));
        assertEquals(secret.digest(), skopeo);
    }

    @Test
    @Order(4)
    void protectedRepository_cached_stillRefusedByTagAndDigest() {
        for (String ref : List.of(host + "/priv/private/secret:1", host + "/priv/private/secret@" + secret.digest())) {
            assertRefused(podman().pullFails(ref), "unauthorized", "authentication required");
            Podman wrongRole = podman();
            assertTrue(login(wrongRole, host, noRoles.name(), noRoles.password()).succeeded());
            assertRefused(wrongRole.pullFails(ref), "denied", "may not read");
            ExternalProcess.Result wrongPassword = new Skopeo().withCreds(reader.name(), "x" + reader.password())
                    .tryInspectRaw(ref);
            assertFalse(wrongPassword.succeeded(), wrongPassword.output());
        }
    }

    @Test
    @Order(5)
    void rolesRepository_teamRolePulls_readRoleRefused() throws Exception {
        String digest = step("podman pull --creds with team-a",
                () -> podman().pull(host + "/team/private/secret:1", alice.name(), alice.password()));
        assertEquals(secret.digest(), digest);
        Podman p = podman();
        assertTrue(login(p, host, reader.name(), reader.password()).succeeded());
        assertRefused(p.pullFails(host + "/team/private/secret@" + secret.digest()), "denied", "may not read");
    }

    @Test
    @Order(6)
    void anonymousRepository_podmanSkopeoCtr_pullWithoutCredentials() throws Exception {
        assertEquals(small.digest(), step("anonymous podman pull", () -> podman().pull(host + "/pub/library/small:1")));
        assertEquals(small.digest(), step("anonymous skopeo inspect",
                () -> new Skopeo().inspectDigest(host + "/pub/library/small:1")));
        assertEquals(small.digest(), step("anonymous skopeo copy",
                () -> new Skopeo().copyAll(host + "/pub/library/small:1", work.resolve("small-oci"))));
        try (Containerd containerd = Containerd.start()) {
            containerd.mirror("docker.io", "http://" + host + "/v2/pub");
            assertEquals(small.digest(), step("anonymous ctr pull via mirror",
                    () -> containerd.pull("docker.io/library/small:1")));
        }
        // a logged-in client's stale or wrong credentials do not break a public repository
        assertEquals(small.digest(), step("podman pull of a public image with other credentials",
                () -> podman().pull(host + "/pub/library/small:1", reader.name(), "stale-" + UUID.randomUUID())));
    }

    @Test
    @Order(7)
    void ping_challengesWithBasicRealm() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertEquals("Basic realm=\"binaryrepo\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
        assertTrue(r.body().contains("\"UNAUTHORIZED\""), r.body());
    }

    @Test
    @Order(8)
    void logs_showUser_neverPasswordsOrBasicCredentials() throws Exception {
        Path logs = work.resolve("tomcat-base/logs");
        // the AccessLogValve buffers: Tomcat's background thread flushes it about every 10 s
        Wait.until(Duration.ofSeconds(60), () -> "access log lines of reader and alice in " + logs,
                () -> {
                    String access = read(logs, "localhost_access");
                    return access.lines().anyMatch(l -> l.contains(" reader ") && l.contains("/v2/priv/private/secret/")
                            && l.contains("\" 200 ")) && access.lines().anyMatch(l -> l.contains(" alice ")
                            && l.contains("/v2/team/") && l.contains("\" 200 "));
                });
        String all = read(logs, "");
        assertTrue(all.contains("binaryrepo started"), "the search below reads binaryrepo's log");
        for (User u : users.all()) {
            assertFalse(all.toString().contains(u.password()), "password of " + u.name() + " logged");
            String basic = Base64.getEncoder().encodeToString((u.name() + ":" + u.password()).getBytes(StandardCharsets.UTF_8));
            assertFalse(all.toString().contains(basic), "Basic credentials of " + u.name() + " logged");
        }
        assertFalse(all.toString().contains(issuer.password()), "upstream password logged");
    }

    /** The concatenated log files in {@code dir} whose names start with {@code prefix}. */
    private static String read(Path dir, String prefix) {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (f.getFileName().toString().startsWith(prefix)) {
                    b.append(Files.readString(f, StandardCharsets.ISO_8859_1));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toString();
    }
}
