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
            java.nio.file.Files.writeString(config, "repositories:\n  - name: docker-remote\n    type: docker\n    url: "
                    + registry.url() + "\n");
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
