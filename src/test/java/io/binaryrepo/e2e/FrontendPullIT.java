package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The seed's flow: a TLS frontend (nginx, then Apache httpd) configured by scripts/frontend maps a host's
 * {@code /} onto {@code /repo/docker-remote/} of binaryrepo in Tomcat; podman trusts the CA made by
 * scripts/gen-certs through {@code --cert-dir} and pulls {@code HOST:PORT/library/small:1} as if
 * binaryrepo were the registry itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrontendPullIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private TokenIssuer issuer;
    private CncfRegistry registry;
    private TestImages.PushedImage small;
    private TestImages.PushedImage big;
    private TomcatDeployment tomcat;
    private Path work;
    private Path certs;

    @BeforeAll
    void setUp() throws Exception {
        try {
            work = TempDirs.create("e2e-frontend-");
            issuer = TokenIssuer.withRandomCredentials();
            registry = CncfRegistry.withTokenAuth(issuer);
            small = TestImages.small(registry, "library/small:1");
            big = TestImages.withLayer(registry, "library/big:1", 16L << 20);
            Path config = work.resolve("repositories.yaml");
            // The token issuer is another port of 127.0.0.1 (loopback): allowed explicitly (issue 17).
            java.nio.file.Files.writeString(config, "repositories:\n  - name: docker-remote\n    type: docker\n    url: "
                    + registry.url() + "\n    allowedHosts: [\"127.0.0.1:" + issuer.port() + "\"]\n");
            tomcat = TomcatDeployment.start(work.resolve("tomcat-base"), work.resolve("cache"), config);
            certs = work.resolve("certs");
            ExternalProcess.runChecked(TIMEOUT, Map.of(), TomcatDeployment.PROJECT.resolve("scripts/gen-certs").toString(),
                    certs.toString(), "docker-remote.example.com", "localhost", "127.0.0.1");
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    void tearDown() {
        try {
            if (tomcat != null) {
                tomcat.close();
            }
        } finally {
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

    @Test
    void nginxTlsFrontend_podmanPullsThroughTomcat() {
        pullThrough("nginx");
    }

    @Test
    void apacheTlsFrontend_podmanPullsThroughTomcat() {
        pullThrough("apache");
    }

    /** binaryrepo.offload=nginx: cached blobs leave Tomcat as an X-Accel-Redirect and nginx sends the file. */
    @Test
    void nginxOffload_cachedBlobsSentByNginxFromTheCacheDirectory() throws Exception {
        offload("nginx");
    }

    /** binaryrepo.offload=apache: cached blobs leave Tomcat as an X-Sendfile and mod_xsendfile sends the file. */
    @Test
    void apacheOffload_cachedBlobsSentByApacheFromTheCacheDirectory() throws Exception {
        offload("apache");
    }

    /**
     * The pull gets the upstream's digests cold and warm; a cached blob asked of Tomcat directly is answered
     * with the frontend's header and no body, and through the frontend with the whole file and binaryrepo's
     * headers.
     */
    private void offload(String server) throws Exception {
        Path cache = work.resolve("offload-cache-" + server);
        java.nio.file.Files.createDirectories(cache);
        // nginx's workers run as nobody here: let them reach the cache. Cache files get the JVM's umask;
        // catalina.sh's default (UMASK=0027) keeps others out, so this Tomcat runs with 0022. (Production:
        // keep 0027 and put nginx's user in the app server's group.)
        for (Path p = cache; p != null && p.startsWith(work.getParent()); p = p.getParent()) {
            ExternalProcess.runChecked(TIMEOUT, Map.of(), "chmod", "a+rx", p.toString());
        }
        try (TomcatDeployment offloading = TomcatDeployment.start(work.resolve("tomcat-offload-" + server), cache,
                work.resolve("repositories.yaml"), Map.of("UMASK", "0022"), "--offload", server)) {
            int port = Ports.free();
            Path prefix = work.resolve("frontend-offload-" + server);
            String script = TomcatDeployment.PROJECT.resolve("scripts/frontend").toString();
            ExternalProcess.runChecked(TIMEOUT, Map.of(), script, server, "start", "--port", Integer.toString(port),
                    "--backend", "127.0.0.1:" + offloading.port(), "--repository", "docker-remote",
                    "--cert", certs.resolve("server-cert.pem").toString(), "--key", certs.resolve("server-key.pem").toString(),
                    "--prefix", prefix.toString(), "--offload-dir", cache.toString());
            try {
                String host = "127.0.0.1:" + port;
                try (Podman first = Podman.withCertDir(certs)) {
                    assertEquals(big.digest(), first.pull(host + "/library/big:1"), "cold pull (binaryrepo streams)");
                }
                try (Podman second = Podman.withCertDir(certs)) {
                    assertEquals(big.digest(), second.pull(host + "/library/big:1"), "warm pull (nginx sends the files)");
                }
                String layer = big.layers().get(0).digest();
                String hex = layer.substring("sha256:".length());
                // Straight to Tomcat: binaryrepo answers a cached blob with X-Accel-Redirect and no body ...
                java.net.http.HttpResponse<byte[]> direct = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + offloading.port()
                                + "/repo/docker-remote/v2/library/big/blobs/" + layer)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, direct.statusCode());
                String key = "docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
                if (server.equals("nginx")) {
                    assertEquals("/_binaryrepo_cache/" + key, direct.headers().firstValue("X-Accel-Redirect").orElse(null));
                } else {
                    assertEquals(cache.resolve(key).toString(), direct.headers().firstValue("X-Sendfile").orElse(null));
                }
                assertEquals(0, direct.body().length);
                // ... and through nginx the client gets the whole file with binaryrepo's headers.
                String headers = ExternalProcess.runChecked(TIMEOUT, Map.of(), "curl", "-sS", "--cacert",
                        certs.resolve("ca.crt").toString(), "-D", "-", "-o", "/dev/null",
                        "https://" + host + "/v2/library/big/blobs/" + layer).output().toLowerCase(java.util.Locale.ROOT);
                assertEquals(true, headers.contains("content-length: " + big.layers().get(0).size()), headers);
                assertEquals(true, headers.contains("docker-content-digest: " + layer), headers);
                assertEquals(false, headers.contains("x-accel-redirect") || headers.contains("x-sendfile"), headers);
            } finally {
                ExternalProcess.run(TIMEOUT, Map.of(), script, server, "stop", "--prefix", prefix.toString());
            }
        }
    }

    private void pullThrough(String server) {
        int port = Ports.free();
        Path prefix = work.resolve("frontend-" + server);
        String script = TomcatDeployment.PROJECT.resolve("scripts/frontend").toString();
        ExternalProcess.runChecked(TIMEOUT, Map.of(), script, server, "start", "--port", Integer.toString(port),
                "--backend", "127.0.0.1:" + tomcat.port(), "--repository", "docker-remote",
                "--cert", certs.resolve("server-cert.pem").toString(), "--key", certs.resolve("server-key.pem").toString(),
                "--prefix", prefix.toString());
        // podman reads <cert-dir>/*.crt as CAs; gen-certs writes ca.crt and nothing else ending in .crt/.key/.cert
        try (Podman podman = Podman.withCertDir(certs)) {
            String host = "127.0.0.1:" + port;
            try {
                assertEquals(small.digest(), podman.pull(host + "/library/small:1"));
                assertEquals(big.digest(), podman.pull(host + "/library/big:1"));
            } catch (AssertionError e) {
                throw new AssertionError(server + " frontend pull failed: " + e.getMessage() + "\n--- frontend logs ---\n"
                        + ExternalProcess.run(TIMEOUT, Map.of(), "sh", "-c", "tail -n 40 " + prefix + "/logs/*").output()
                        + "\n--- tomcat ---\n" + tomcat.log(), e);
            }
        } finally {
            ExternalProcess.run(TIMEOUT, Map.of(), script, server, "stop", "--prefix", prefix.toString());
        }
    }
}
