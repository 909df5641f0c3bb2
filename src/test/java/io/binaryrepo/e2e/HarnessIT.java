package io.binaryrepo.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Self-test of the e2e harness against the real tools, without binaryrepo: a token-auth CNCF
 * registry seeded by {@link TestImages}, read by podman and skopeo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HarnessIT {

    private static final long BIG_LAYER_BYTES = 64L << 20;

    private TokenIssuer issuer;
    private CncfRegistry registry;
    private TestImages.PushedImage small;
    private TestImages.PushedImage big;
    private TestImages.PushedIndex multi;
    private TestImages.PushedImage secret;

    @BeforeAll
    void seed() {
        try {
            issuer = TokenIssuer.withRandomCredentials();
            registry = CncfRegistry.withTokenAuth(issuer);
            small = TestImages.small(registry, "library/small:1");
            big = TestImages.withLayer(registry, "library/big:1", BIG_LAYER_BYTES);
            multi = TestImages.multiPlatform(registry, "library/multi:1");
            secret = TestImages.small(registry, "private/secret:1");
        } catch (RuntimeException | Error e) {
            stopAll();
            throw e;
        }
    }

    @AfterAll
    void stopAll() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    @Test
    @Order(1)
    void seededImagesHaveTheExpectedShape() {
        assertTrue(small.digest().startsWith("sha256:"), small.digest());
        assertEquals(registry.host() + "/library/small:1", small.reference());
        assertEquals(1, small.layers().size());
        assertTrue(small.layerBytes() > 1000 && small.layerBytes() < 64 * 1024, "small layer " + small.layerBytes());
        assertEquals(1, big.layers().size());
        assertTrue(big.layerBytes() >= BIG_LAYER_BYTES, "random data must not compress: " + big.layerBytes());
        assertEquals(List.of("linux/amd64", "linux/arm64"), List.copyOf(multi.platformDigests().keySet()));
        assertNotEquals(multi.digestFor("linux/amd64"), multi.digestFor("linux/arm64"));
        assertNotEquals(small.digest(), secret.digest());
        // pushes went through the token issuer with the user's credentials
        assertTrue(issuer.requests().stream().anyMatch(r -> r.authenticated()
                && r.scopes().contains("repository:library/big:pull,push")), issuer.requests().toString());
    }

    @Test
    @Order(2)
    void podmanPullsAnonymouslyAndSeesTheRegistryDigest() {
        issuer.clearRequests();
        try (Podman podman = new Podman()) {
            assertEquals(small.digest(), podman.pull(small.reference()));
            assertEquals(big.digest(), podman.pull(big.reference()));
        }
        assertTrue(issuer.requests().stream().anyMatch(r -> !r.authenticated() && r.status() == 200
                && r.scopes().equals(List.of("repository:library/small:pull"))
                && r.granted().equals(List.of(new TokenIssuer.Access("repository", "library/small", List.of("pull"))))),
                issuer.requests().toString());
        assertTrue(issuer.requests().stream().noneMatch(TokenIssuer.TokenRequest::authenticated));
    }

    @Test
    @Order(3)
    void registryVerifiesTokenSignatureExpiryAndAccess() throws Exception {
        List<TokenIssuer.Access> pullSmall = List.of(new TokenIssuer.Access("repository", "library/small", List.of("pull")));
        assertEquals(200, manifestStatus(issuer.mintToken("", pullSmall, Duration.ofMinutes(5))));
        assertEquals(401, manifestStatus(issuer.mintToken("", pullSmall, Duration.ofMinutes(-5))), "expired");
        assertEquals(401, manifestStatus(issuer.mintToken("", List.of(), Duration.ofMinutes(5))), "no access");
        try (TokenIssuer stranger = new TokenIssuer("u", "p", issuer.service())) {
            assertEquals(401, manifestStatus(stranger.mintToken("", pullSmall, Duration.ofMinutes(5))), "foreign key");
        }
        assertEquals(401, manifestStatus(issuer.mintToken("", pullSmall, Duration.ofMinutes(5), "another-service")),
                "wrong aud");
    }

    private int manifestStatus(String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.url() + "/v2/library/small/manifests/1"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                .GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @Order(4)
    void podmanFollowsRegistriesConf() {
        try (Podman podman = new Podman().addMirror("docker.io", "docker.io", registry.host())) {
            assertEquals(small.digest(), podman.pull("docker.io/library/small:1"));
        }
        try (Podman podman = new Podman().addRegistry("registry.example", registry.host() + "/library", true)) {
            assertEquals(small.digest(), podman.pull("registry.example/small:1"));
        }
    }

    @Test
    @Order(5)
    void podmanPullsTheHostPlatformOfTheIndex() {
        try (Podman podman = new Podman()) {
            assertEquals(multi.digest(), podman.pull(multi.reference()));
            String hostPlatform = "linux/" + hostArchitecture();
            assertEquals(hostArchitecture(), podman.inspect(multi.reference(), "{{.Architecture}}"));
            assertTrue(podman.inspect(multi.reference(), "{{.RepoDigests}}").contains(multi.digestFor(hostPlatform)));
        }
    }

    private static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("aarch64") ? "arm64" : arch;
    }

    @Test
    @Order(6)
    void skopeoCopiesAllPlatformsOfTheIndex() {
        Path out = TempDirs.create("harness-oci");
        try {
            String top = new Skopeo().copyAll(multi.reference(), out);
            assertEquals(multi.digest(), top);
            Map<String, String> platforms = OciLayout.platformManifests(out, top);
            assertEquals(multi.platformDigests(), platforms);
            assertEquals("arm64", OciLayout.blobJson(out, OciLayout.verifyImage(out, multi.digestFor("linux/arm64"))
                    .path("config").path("digest").asText()).path("architecture").asText());
        } finally {
            TempDirs.deleteRecursively(out);
        }
    }

    @Test
    @Order(7)
    void privateRepositoryNeedsCredentials() {
        try (Podman podman = new Podman()) {
            String output = podman.pullFails(secret.reference());
            assertTrue(output.toLowerCase().contains("unauthorized") || output.toLowerCase().contains("denied"),
                    output);
        }
        try (Podman podman = new Podman()) {
            assertEquals(secret.digest(), podman.pull(secret.reference(), issuer.username(), issuer.password()));
        }
        ExternalProcess.Result anonymous = new Skopeo().tryInspectRaw(secret.reference());
        assertFalse(anonymous.succeeded(), anonymous.output());

        ExternalProcess.Result wrong = new Skopeo().withCreds(issuer.username(), "wrong").tryInspectRaw(secret.reference());
        assertFalse(wrong.succeeded(), wrong.output());
        assertTrue(issuer.requests().stream().anyMatch(r -> r.status() == 401));

        Skopeo withCreds = new Skopeo().withCreds(issuer.username(), issuer.password());
        assertEquals(secret.digest(), withCreds.inspectDigest(secret.reference()));
        Path out = TempDirs.create("harness-oci");
        try {
            assertEquals(secret.digest(), withCreds.copyAll(secret.reference(), out));
            OciLayout.verifyImage(out, secret.digest());
        } finally {
            TempDirs.deleteRecursively(out);
        }
    }

    @Test
    @Order(8)
    void registryServesAgainAfterARestart() {
        registry.stop();
        assertFalse(registry.isRunning());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThrows(IOException.class, () -> http.send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()));
        ExternalProcess.Result down = new Skopeo().tryInspectRaw(small.reference());
        assertFalse(down.succeeded(), down.output());
        try (Podman podman = new Podman()) {
            String output = podman.pullFails(small.reference());
            assertTrue(output.contains("connection refused"), output);
        }

        registry.start();
        assertTrue(registry.isRunning());
        try (Podman podman = new Podman()) {
            assertEquals(small.digest(), podman.pull(small.reference()));
        }
        assertEquals(multi.digest(), new Skopeo().inspectDigest(multi.reference()));
    }

    @Test
    @Order(9)
    void tlsRegistryIsTrustedThroughCertDir() {
        Path emptyCertDir = TempDirs.create("harness-no-certs");
        try (CncfRegistry tls = CncfRegistry.create(null, true)) {
            assertTrue(tls.url().startsWith("https://127.0.0.1:"), tls.url());
            TestImages.PushedImage image = TestImages.small(tls, "library/tls:1");
            try (Podman trusting = Podman.withCertDir(tls.certDir())) {
                assertEquals(image.digest(), trusting.pull(image.reference()));
            }
            try (Podman untrusting = Podman.withCertDir(emptyCertDir)) {
                String output = untrusting.pullFails(image.reference());
                assertTrue(output.contains("certificate"), output);
            }
            assertEquals(image.digest(), new Skopeo().withCertDir(tls.certDir()).inspectDigest(image.reference()));
            ExternalProcess.Result untrusted = new Skopeo().withCertDir(emptyCertDir).tryInspectRaw(image.reference());
            assertFalse(untrusted.succeeded(), untrusted.output());
        } finally {
            TempDirs.deleteRecursively(emptyCertDir);
        }
    }
}
