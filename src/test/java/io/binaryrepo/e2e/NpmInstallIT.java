package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real {@code npm} client through binaryrepo's WAR in a real Tomcat, with the npm registry this machine
 * is configured with ({@code npm config get registry}) as the live upstream, reached through a
 * {@link TcpForwarder} (Tomcat's JVM resolves the registry's host name to 127.0.0.1 with
 * {@code -Djdk.net.hosts.file}, so TLS still verifies the registry's own certificate). Then the forwarder is
 * stopped and {@code npm ci} with an empty npm cache must succeed from binaryrepo alone. Every npm run has
 * its own {@code --userconfig} and {@code --cache}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NpmInstallIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String PACKAGE_JSON = "{\"name\":\"e2e-project\",\"version\":\"1.0.0\",\"private\":true,"
            + "\"dependencies\":{\"express\":\"^4.21.0\",\"@types/node\":\"^20.0.0\"}}";

    private Path work;
    private TcpForwarder forwarder;
    private TomcatDeployment tomcat;
    private String registryUrl;
    private Path project;

    @BeforeAll
    void setUp() throws Exception {
        try {
            work = TempDirs.create("e2e-npm-");
            URI registry = NpmClient.machineRegistry();
            int port = registry.getPort() > 0 ? registry.getPort() : registry.getScheme().equals("http") ? 80 : 443;
            forwarder = TcpForwarder.start(registry.getHost(), port);
            Path hosts = work.resolve("hosts");
            Files.writeString(hosts, "127.0.0.1 localhost\n127.0.0.1 " + registry.getHost() + "\n");
            String upstream = registry.getScheme() + "://" + registry.getHost() + ":" + forwarder.port()
                    + registry.getRawPath();
            Path config = work.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: npm-remote\n    type: npm\n    url: " + upstream + "\n");
            tomcat = TomcatDeployment.start(work.resolve("tomcat-base"), work.resolve("cache"), config,
                    Map.of("CATALINA_OPTS", "-Djdk.net.hosts.file=" + hosts));
            registryUrl = "http://127.0.0.1:" + tomcat.port() + "/repo/npm-remote/";
            project = work.resolve("project");
            Files.createDirectories(project);
            Files.writeString(project.resolve("package.json"), PACKAGE_JSON);
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
            if (forwarder != null) {
                forwarder.close();
            }
            if (work != null) {
                TempDirs.deleteRecursively(work);
            }
        }
    }

    @Test
    @Order(1)
    void npmInstall_throughBinaryrepo_lockfileResolvesEveryTarballToIt() throws Exception {
        NpmClient npm = NpmClient.of(work.resolve("npm-install"), registryUrl);
        ExternalProcess.Result r = npm.run(project, "install");
        assertEquals(0, r.exitCode(), r.output() + "\n" + tomcat.log());
        JsonNode lock = JSON.readTree(project.resolve("package-lock.json").toFile());
        List<String> resolved = new ArrayList<>();
        lock.get("packages").properties().forEach(e -> {
            if (!e.getKey().isEmpty()) {
                resolved.add(e.getValue().path("resolved").asText());
            }
        });
        assertTrue(resolved.size() >= 50, "a tree of at least 50 packages: " + resolved.size());
        for (String url : resolved) {
            assertTrue(url.startsWith(registryUrl), "resolved through binaryrepo: " + url);
        }
        assertTrue(lock.get("packages").has("node_modules/@types/node"), "a scoped package");
        assertTrue(Files.isDirectory(project.resolve("node_modules/express")));
        assertTrue(forwarder.connections() > 0, "binaryrepo reached the upstream through the forwarder");
    }

    @Test
    @Order(2)
    void npmInstall_scopedPackageThroughTheNginxFrontend() throws Exception {
        scopedThroughFrontend("nginx");
    }

    @Test
    @Order(3)
    void npmInstall_scopedPackageThroughTheApacheFrontend() throws Exception {
        scopedThroughFrontend("apache");
    }

    /**
     * {@code @types/node} through a TLS frontend rendered by scripts/frontend: the packument asked with
     * {@code %2f} reaches binaryrepo intact, and the tarball URLs (under {@code /repo/npm-remote/} of the
     * public host) pass the frontend as they are.
     */
    private void scopedThroughFrontend(String server) throws Exception {
        Path certs = work.resolve("certs");
        if (!Files.exists(certs.resolve("ca.crt"))) {
            ExternalProcess.runChecked(TIMEOUT, Map.of(), TomcatDeployment.PROJECT.resolve("scripts/gen-certs").toString(),
                    certs.toString(), "npm-remote.example.com", "localhost", "127.0.0.1");
        }
        int port = Ports.free();
        String script = TomcatDeployment.PROJECT.resolve("scripts/frontend").toString();
        Path prefix = work.resolve("frontend-" + server);
        ExternalProcess.runChecked(TIMEOUT, Map.of(), script, server, "start", "--port", Integer.toString(port),
                "--backend", "127.0.0.1:" + tomcat.port(), "--repository", "npm-remote",
                "--cert", certs.resolve("server-cert.pem").toString(), "--key", certs.resolve("server-key.pem").toString(),
                "--prefix", prefix.toString());
        try {
            Path scoped = work.resolve("scoped-" + server);
            Files.createDirectories(scoped);
            Files.writeString(scoped.resolve("package.json"),
                    "{\"name\":\"scoped\",\"version\":\"1.0.0\",\"private\":true,\"dependencies\":{\"@types/node\":\"^20.0.0\"}}");
            String frontend = "https://127.0.0.1:" + port + "/";
            NpmClient npm = NpmClient.of(work.resolve("npm-" + server), frontend, "cafile=" + certs.resolve("ca.crt"));
            ExternalProcess.Result r = npm.run(scoped, "install");
            assertEquals(0, r.exitCode(), r.output() + "\n" + tomcat.log());
            JsonNode lock = JSON.readTree(scoped.resolve("package-lock.json").toFile());
            String resolved = lock.at("/packages/node_modules~1@types~1node/resolved").asText();
            assertTrue(resolved.startsWith(frontend + "repo/npm-remote/@types/node/-/node-"), resolved);
            assertTrue(r.output().contains("@types%2fnode") || r.output().contains("@types%2Fnode"),
                    "npm asked for the packument with an encoded slash: " + r.output());
            assertTrue(Files.isRegularFile(scoped.resolve("node_modules/@types/node/package.json")));
        } finally {
            ExternalProcess.run(TIMEOUT, Map.of(), script, server, "stop", "--prefix", prefix.toString());
        }
    }

    @Test
    @Order(4)
    void npmCi_upstreamUnreachableAndEmptyNpmCache_installsFromBinaryrepoAlone() throws Exception {
        forwarder.close();
        TempDirs.deleteRecursively(project.resolve("node_modules"));
        NpmClient npm = NpmClient.of(work.resolve("npm-ci"), registryUrl).freshCache();
        ExternalProcess.Result r = npm.run(project, "ci");
        assertEquals(0, r.exitCode(), r.output() + "\n" + tomcat.log());
        assertTrue(Files.isRegularFile(project.resolve("node_modules/express/package.json")));
        assertTrue(Files.isRegularFile(project.resolve("node_modules/@types/node/package.json")));
    }
}
