package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.ExternalProcess;
import io.binaryrepo.e2e.Ports;
import io.binaryrepo.e2e.TempDirs;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import io.binaryrepo.testing.TestUsers.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A protected Go module repository (issue 12) used the way Go users log in: credentials in
 * {@code ~/.netrc} for the GOPROXY host. The go command sends them only over HTTPS, so binaryrepo sits
 * behind the TLS nginx frontend of scripts/frontend (certificates from scripts/gen-certs), which maps its
 * host's {@code /} onto {@code /repo/go-private/}. Without credentials, with a wrong password and without
 * the role {@code go get} fails; with them it downloads and verifies through the checksum database proxy.
 */
class GoNetrcIT {
    private static final String DB = "sum.test.example";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final TestUsers users = new TestUsers();
    private final User dev = users.add("dev", "binaryrepo-read");
    private final User other = users.add("other");
    private Path work;
    private LocalGoUpstream upstream;
    private ProxyServer proxy;
    private Path frontendPrefix;
    private Path certs;
    private int port;

    @BeforeEach
    void start() throws Exception {
        GoTool.version();
        work = TempDirs.create("go-netrc");
        Path sources = Files.createDirectories(work.resolve("module-sources").resolve("example.com/dep@v0.2.0"));
        Files.writeString(sources.resolve("go.mod"), "module example.com/dep\n\ngo 1.19\n");
        Files.writeString(sources.resolve("dep.go"), "package dep\n\nfunc Name() string { return \"dep\" }\n");
        upstream = LocalGoUpstream.start(work, work.resolve("module-sources"), DB);
        proxy = ProxyServer.start(work.resolve("cache"), "repositories:\n  - name: go-private\n    type: go\n"
                + "    access: authenticated\n    url: " + upstream.url() + "\n", null, Map.of(), users);
        certs = work.resolve("certs");
        ExternalProcess.runChecked(TIMEOUT, Map.of(), script("gen-certs"), certs.toString(), "localhost", "127.0.0.1");
        port = Ports.free();
        frontendPrefix = work.resolve("frontend");
        ExternalProcess.runChecked(TIMEOUT, Map.of(), script("frontend"), "nginx", "start", "--port",
                Integer.toString(port), "--backend", "127.0.0.1:" + proxy.port(), "--repository", "go-private",
                "--cert", certs.resolve("server-cert.pem").toString(), "--key", certs.resolve("server-key.pem").toString(),
                "--prefix", frontendPrefix.toString());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (frontendPrefix != null) {
                ExternalProcess.run(TIMEOUT, Map.of(), script("frontend"), "nginx", "stop", "--prefix",
                        frontendPrefix.toString());
            }
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
            TempDirs.deleteRecursively(work);
        }
    }

    private static String script(String name) {
        return Path.of(System.getProperty("basedir", ".")).resolve("scripts").resolve(name).toString();
    }

    @Test
    void goGet_withNetrcCredentials_downloadsAndVerifies_withoutWrongOrRolelessRefused() throws Exception {
        GoTool.Result anonymous = goGet("anonymous", null, null);
        assertFalse(anonymous.exitCode() == 0, anonymous.output());
        assertTrue(anonymous.output().contains("401 Unauthorized"), anonymous.output());

        GoTool.Result wrong = goGet("wrong", dev.name(), "wrong-" + UUID.randomUUID());
        assertFalse(wrong.exitCode() == 0, wrong.output());
        assertTrue(wrong.output().contains("401 Unauthorized"), wrong.output());

        GoTool.Result noRole = goGet("norole", other.name(), other.password());
        assertFalse(noRole.exitCode() == 0, noRole.output());
        assertTrue(noRole.output().contains("403 Forbidden"), noRole.output());

        GoTool.Result ok = goGet("dev", dev.name(), dev.password());
        assertEquals(0, ok.exitCode(), ok.output());
        Path zip = work.resolve("dev-home/go/pkg/mod/cache/download/example.com/dep/@v/v0.2.0.zip");
        assertTrue(Files.isRegularFile(zip), "module downloaded through the frontend:\n" + ok.output());
    }

    /** {@code go get example.com/dep@v0.2.0} in a new module, with {@code ~/.netrc} for the frontend when given. */
    private GoTool.Result goGet(String name, String user, String password) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Files.writeString(dir.resolve("go.mod"), "module example.org/consumer\n\ngo 1.19\n");
        Path home = Files.createDirectories(work.resolve(name + "-home"));
        if (user != null) {
            Path netrc = Files.writeString(home.resolve(".netrc"),
                    "machine 127.0.0.1 login " + user + " password " + password + "\n");
            netrc.toFile().setReadable(false, false);
            netrc.toFile().setReadable(true, true);
        }
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("NETRC", home.resolve(".netrc").toString());
        env.put("GOPATH", home.resolve("go").toString());
        env.put("GOMODCACHE", home.resolve("go/pkg/mod").toString());
        env.put("GOCACHE", home.resolve("go-build").toString());
        env.put("GOFLAGS", "-mod=mod -modcacherw");
        env.put("GOPROXY", "https://127.0.0.1:" + port);
        env.put("GOSUMDB", upstream.verifierKey());
        env.put("SSL_CERT_FILE", certs.resolve("ca.crt").toString());
        return GoTool.run(dir, env, TIMEOUT, "get", "example.com/dep@v0.2.0");
    }
}
