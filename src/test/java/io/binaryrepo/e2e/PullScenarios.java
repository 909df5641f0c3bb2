package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real clients pulling real images through binaryrepo: the CNCF registry with Docker-Hub-like token
 * authentication as the upstream, podman and skopeo as clients. Subclasses deploy binaryrepo (embedded
 * Jetty, Tomcat, behind a frontend); every scenario asserts the pulled digests equal the upstream's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class PullScenarios {
    protected TokenIssuer issuer;
    protected CncfRegistry registry;
    protected TestImages.PushedImage small;
    protected TestImages.PushedImage big;
    protected TestImages.PushedIndex multi;
    protected TestImages.PushedImage secret;
    protected Path work;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** Starts binaryrepo with {@code repositoriesFile} and {@code storageDir}; returns its host:port. */
    protected abstract String deploy(Path repositoriesFile, Path storageDir) throws Exception;

    /** Stops what {@link #deploy} started. */
    protected abstract void undeploy() throws Exception;

    /** Server logs to print when a scenario fails. */
    protected abstract String serverLog();

    protected String host;

    @BeforeAll
    void setUp() throws Exception {
        try {
            work = TempDirs.create("e2e-pull-");
            issuer = TokenIssuer.withRandomCredentials();
            registry = CncfRegistry.withTokenAuth(issuer);
            small = TestImages.small(registry, "library/small:1");
            big = TestImages.withLayer(registry, "library/big:1", 64L << 20);
            multi = TestImages.multiPlatform(registry, "library/multi:1");
            secret = TestImages.small(registry, "private/secret:1");
            Path config = work.resolve("repositories.yaml");
            // The token issuer is another port of 127.0.0.1 (loopback): allowed explicitly (issue 17).
            String allowIssuer = "    allowedHosts: [\"127.0.0.1:" + issuer.port() + "\"]\n";
            Files.writeString(config, "repositories:\n"
                    + "  - name: docker-remote\n    type: docker\n    url: " + registry.url() + "\n" + allowIssuer
                    + "  - name: docker-auth\n    type: docker\n    url: " + registry.url() + "\n" + allowIssuer
                    + "    username: " + issuer.username() + "\n    password: " + issuer.password() + "\n");
            host = deploy(config, work.resolve("cache"));
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            undeploy();
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

    protected Podman podman() {
        Podman p = new Podman();
        closeables.add(p);
        return p;
    }

    /** Runs a client step; on failure the server log is attached to the assertion. */
    protected <T> T step(String what, java.util.concurrent.Callable<T> action) throws Exception {
        try {
            return action.call();
        } catch (AssertionError | Exception e) {
            throw new AssertionError(what + " failed: " + e.getMessage() + "\n--- binaryrepo log ---\n" + serverLog()
                    + "\n--- upstream registry log (tail) ---\n" + tail(registry.logText()), e);
        }
    }

    static String tail(String s) {
        return s.length() <= 6000 ? s : s.substring(s.length() - 6000);
    }

    @Test
    @Order(1)
    void pathPrefix_podmanPull_digestEqualsUpstream() throws Exception {
        String digest = step("podman pull (path prefix)",
                () -> podman().pull(host + "/docker-remote/library/small:1"));
        assertEquals(small.digest(), digest);
    }

    @Test
    @Order(2)
    void pathPrefix_largeLayer_digestEqualsUpstream() throws Exception {
        String digest = step("podman pull of the 64 MiB image",
                () -> podman().pull(host + "/docker-remote/library/big:1"));
        assertEquals(big.digest(), digest);
    }

    @Test
    @Order(3)
    void registryMirror_podmanPullsDockerIoNameThroughCache() throws Exception {
        Podman p = podman().addMirror("docker.io", "docker.io", host + "/docker-remote");
        String digest = step("podman pull docker.io/... via mirror", () -> p.pull("docker.io/library/small:1"));
        assertEquals(small.digest(), digest);
    }

    @Test
    @Order(4)
    void privateImage_pulledWithRepositoryCredentials_refusedAnonymously() throws Exception {
        String digest = step("podman pull private image via the authenticated repository",
                () -> podman().pull(host + "/docker-auth/private/secret:1"));
        assertEquals(secret.digest(), digest);
        String refused = podman().pullFails(host + "/docker-remote/private/secret:1");
        assertTrue(refused.contains("denied") || refused.contains("DENIED"), refused);
        // cached through docker-auth, still refused by digest through docker-remote
        String byDigest = podman().pullFails(host + "/docker-remote/private/secret@" + secret.digest());
        assertTrue(byDigest.contains("denied") || byDigest.contains("DENIED"), byDigest);
    }

    @Test
    @Order(5)
    void multiPlatformIndex_skopeoCopyAll_thenPlatformManifestByDigest() throws Exception {
        Path oci = work.resolve("multi-oci");
        String top = step("skopeo copy --all", () -> new Skopeo().copyAll(host + "/docker-remote/library/multi:1", oci));
        assertEquals(multi.digest(), top);
        for (String platform : List.of("linux/amd64", "linux/arm64")) {
            String child = multi.digestFor(platform);
            byte[] raw = step("skopeo inspect --raw " + platform,
                    () -> new Skopeo().inspectRaw(host + "/docker-remote/library/multi@" + child));
            assertEquals(child, OciLayout.sha256(raw));
            assertArrayEquals(new Skopeo().inspectRaw(registry.host() + "/library/multi@" + child), raw,
                    "byte-exact platform manifest");
        }
    }

    @Test
    @Order(6)
    void upstreamStopped_secondPullServedFromCache() throws Exception {
        registry.stop();
        try {
            String digest = step("podman pull with upstream stopped",
                    () -> podman().pull(host + "/docker-remote/library/small:1"));
            assertEquals(small.digest(), digest);
            String bigDigest = step("podman pull of the 64 MiB image with upstream stopped",
                    () -> podman().pull(host + "/docker-remote/library/big:1"));
            assertEquals(big.digest(), bigDigest);
        } finally {
            registry.start();
        }
    }

    @Test
    @Order(7)
    void containerdMirror_ctrPullsDockerIoNameThroughCache() throws Exception {
        try (Containerd containerd = Containerd.start()) {
            containerd.mirror("docker.io", "http://" + host + "/v2/docker-remote");
            String digest = step("ctr images pull docker.io/... via hosts.toml mirror",
                    () -> containerd.pull("docker.io/library/small:1"));
            assertEquals(small.digest(), digest);
        }
    }
}
