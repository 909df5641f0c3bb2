package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.TempDirs;
import io.binaryrepo.testing.MutableClock;
import io.binaryrepo.testing.ProxyServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real go command (Debian's golang-go, Go 1.19) through binaryrepo: {@code go get} and
 * {@code go build} of modules served by a local upstream module proxy with a signed test checksum
 * database ({@link LocalGoUpstream}), verified through binaryrepo's checksum database proxy; then, with
 * the upstream stopped and every mutable document past its TTL, the same from an empty module cache,
 * served from binaryrepo's cache alone.
 *
 * <p>The modules cover what makes Go paths special: a module path with capital letters (case escaping,
 * {@code %21} from the go command), a dependency pulled in by a requirement, a {@code +incompatible}
 * version and a pseudo-version; {@code @latest} resolves through the version list. GOSUMDB is only the
 * verifier key, so the go command finds the database through the proxy ({@code sumdb/<name>/supported});
 * nothing may bypass binaryrepo: GOPRIVATE, GONOPROXY, GONOSUMDB and GONOSUMCHECK are empty, GOENV is
 * off, and the upstream checks that every request it serves came from binaryrepo. The repository verifies
 * every {@code .mod} and {@code .zip} against the same database ({@code sumdb: DB}) before caching it, so the
 * go command's success also proves binaryrepo's {@code h1:} hashes equal Go's own (a mismatch would be a 502).
 */
class GoCommandIT {
    private static final String DB = "sum.test.example";
    private static final Duration GO_TIMEOUT = Duration.ofMinutes(3);
    private static final String PSEUDO = "v0.0.0-20240102030405-abcdefabcdef";

    private final MutableClock clock = new MutableClock();
    private Path work;
    private LocalGoUpstream upstream;
    private ProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        GoTool.version();
        work = TempDirs.create("go");
        Path sources = Files.createDirectories(work.resolve("module-sources"));
        writeModules(sources);
        upstream = LocalGoUpstream.start(work, sources, DB);
        Path repositories = work.resolve("repositories.yaml");
        Files.writeString(repositories, "repositories:\n  - name: go-remote\n    type: go\n    url: " + upstream.url()
                + "\n    metadataTtl: 5m\n    sumdb: " + DB + "\n");
        proxy = ProxyServer.start(work.resolve("cache"), repositories, clock, 0);
    }

    @AfterEach
    void stop() throws Exception {
        try {
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

    @Test
    void goGetAndBuild_throughBinaryrepo_thenAgainFromTheCacheAloneWithUpstreamStopped() throws Exception {
        GoTool.Result first = getAndBuild("first");
        assertEquals("hello 1.1 from dep, old 2, pseudo 1", first.output().trim());
        String goSum = Files.readString(work.resolve("first/go.sum"));
        for (String module : List.of("example.com/Upper/lib v1.1.0", "example.com/dep v0.2.0",
                "example.com/old v2.0.0+incompatible", "example.com/pseudo " + PSEUDO)) {
            assertTrue(goSum.contains(module + " h1:"), () -> module + " missing in go.sum:\n" + goSum);
            assertTrue(goSum.contains(module + "/go.mod h1:"), () -> module + "/go.mod missing in go.sum:\n" + goSum);
        }
        List<String> served = upstream.requests();
        // Everything went through binaryrepo, the checksum database included; "supported" is binaryrepo's own.
        assertTrue(served.stream().allMatch(r -> r.endsWith(" binaryrepo")), () -> String.join("\n", served));
        assertTrue(served.stream().anyMatch(r -> r.startsWith("GET /sumdb/" + DB + "/lookup/example.com/!upper/lib@v1.1.0 200")),
                () -> String.join("\n", served));
        assertTrue(served.stream().anyMatch(r -> r.matches("GET /sumdb/" + DB + "/tile/8/0/000 200 .*")),
                () -> String.join("\n", served));
        assertTrue(served.stream().anyMatch(r -> r.matches("GET /sumdb/" + DB + "/tile/8/\\d/\\d{3}\\.p/\\d+ 200 .*")),
                () -> String.join("\n", served));
        assertFalse(served.stream().anyMatch(r -> r.contains("/supported")), () -> String.join("\n", served));
        assertTrue(served.stream().anyMatch(r -> r.startsWith("GET /example.com/!upper/lib/@v/list 200")),
                () -> String.join("\n", served));

        upstream.stop();
        assertThrows(ConnectException.class, () -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(upstream.url() + "/")).build(), HttpResponse.BodyHandlers.discarding()));
        // Every list, @latest and partial tile is now past its TTL: binaryrepo must serve them stale.
        clock.advance(Duration.ofDays(1));

        GoTool.Result second = getAndBuild("second");
        assertEquals(first.output(), second.output());
        assertEquals(goSum, Files.readString(work.resolve("second/go.sum")));

        // A module binaryrepo never saw cannot come from anywhere now: the go command must stop (a 5xx is
        // fatal to it), not report the module as missing.
        GoTool.Result missing = GoTool.run(work.resolve("second"), goEnv("second"), GO_TIMEOUT, "get",
                "example.com/never@v1.0.0");
        assertNotEquals(0, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("502 Bad Gateway"), missing.output());
    }

    /**
     * In a new consumer module with an empty module cache: {@code go get} of the test modules (the
     * library at {@code @latest}), {@code go mod verify}, and building and running a program using them.
     *
     * @return the program's run, whose output names every module's code
     */
    private GoTool.Result getAndBuild(String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Files.writeString(dir.resolve("go.mod"), "module example.org/consumer\n\ngo 1.19\n");
        Files.writeString(dir.resolve("main.go"), """
                package main

                import (
                \t"fmt"

                \t"example.com/Upper/lib"
                \t"example.com/old"
                \t"example.com/pseudo"
                )

                func main() { fmt.Printf("%s, old %d, pseudo %d\\n", lib.Hello(), old.Old(), pseudo.P) }
                """);
        Map<String, String> env = goEnv(name);
        GoTool.run(dir, env, GO_TIMEOUT, "get", "example.com/Upper/lib@latest", "example.com/old@v2.0.0+incompatible",
                "example.com/pseudo@" + PSEUDO).checked();
        GoTool.run(dir, env, GO_TIMEOUT, "mod", "verify").checked();
        GoTool.run(dir, env, GO_TIMEOUT, "build", "-o", "consumer", ".").checked();
        return run(dir.resolve("consumer"));
    }

    /** The environment of one go command run: its own GOPATH, module cache and build cache. */
    private Map<String, String> goEnv(String name) {
        Map<String, String> env = new HashMap<>();
        Path home = work.resolve(name + "-home");
        env.put("HOME", home.toString());
        env.put("GOPATH", home.resolve("go").toString());
        env.put("GOMODCACHE", home.resolve("go/pkg/mod").toString());
        env.put("GOCACHE", home.resolve("go-build").toString());
        // -modcacherw: the module cache is read-only by default, which would keep the test from deleting it.
        env.put("GOFLAGS", "-mod=mod -modcacherw");
        env.put("GOPROXY", proxy.url() + "/repo/go-remote");
        env.put("GOSUMDB", upstream.verifierKey());
        return env;
    }

    private static GoTool.Result run(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new GoTool.Result(List.of(binary.toString()), p.waitFor(), out).checked();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The upstream's modules, as {@code <module path>@<version>/} source directories. */
    private static void writeModules(Path src) throws IOException {
        write(src, "example.com/Upper/lib@v1.0.0", "go.mod", "module example.com/Upper/lib\n\ngo 1.19\n");
        write(src, "example.com/Upper/lib@v1.0.0", "lib.go", "package lib\n\nfunc Hello() string { return \"hello 1.0\" }\n");
        write(src, "example.com/Upper/lib@v1.1.0", "go.mod",
                "module example.com/Upper/lib\n\ngo 1.19\n\nrequire example.com/dep v0.2.0\n");
        write(src, "example.com/Upper/lib@v1.1.0", "lib.go", """
                package lib

                import "example.com/dep"

                // Hello names the library version and its dependency.
                func Hello() string { return "hello 1.1 from " + dep.Name() }
                """);
        write(src, "example.com/dep@v0.2.0", "go.mod", "module example.com/dep\n\ngo 1.19\n");
        write(src, "example.com/dep@v0.2.0", "dep.go", "package dep\n\nfunc Name() string { return \"dep\" }\n");
        // No go.mod: a major version 2 published before modules, consumed as +incompatible.
        write(src, "example.com/old@v2.0.0+incompatible", "old.go", "package old\n\nfunc Old() int { return 2 }\n");
        write(src, "example.com/pseudo@" + PSEUDO, "go.mod", "module example.com/pseudo\n\ngo 1.19\n");
        write(src, "example.com/pseudo@" + PSEUDO, "p.go", "package pseudo\n\nconst P = 1\n");
    }

    private static void write(Path src, String moduleVersion, String file, String content) throws IOException {
        Path dir = Files.createDirectories(src.resolve(moduleVersion));
        Files.writeString(dir.resolve(file), content);
    }
}
