package io.binaryrepo.gomod;

import io.binaryrepo.e2e.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local upstream of the Go end-to-end test: src/test/go/goupstream (a module proxy serving real
 * module zips plus a checksum database signed with a key made at start-up), built with Debian's Go in
 * GOPATH mode against Debian's golang.org/x/mod and run as a child process on 127.0.0.1. The child
 * watches its standard input and exits when it closes, so it cannot outlive the test JVM; {@link #stop()}
 * closes it and waits, then kills if needed.
 */
final class LocalGoUpstream implements AutoCloseable {
    /** Where Debian's golang-golang-x-mod-dev puts golang.org/x/mod. */
    static final Path DEBIAN_GOCODE = Path.of("/usr/share/gocode");

    private final Process process;
    private final Path log;
    private final String url;
    private final String verifierKey;

    private LocalGoUpstream(Process process, Path log, String url, String verifierKey) {
        this.process = process;
        this.log = log;
        this.url = url;
        this.verifierKey = verifierKey;
    }

    /**
     * Builds the helper under {@code work}, then starts it serving the modules under {@code sources}
     * ({@code <module path>@<version>/} directories) and the checksum database {@code dbName}.
     */
    static LocalGoUpstream start(Path work, Path sources, String dbName) throws IOException {
        if (!Files.isDirectory(DEBIAN_GOCODE.resolve("src/golang.org/x/mod/sumdb"))) {
            throw new AssertionError("golang.org/x/mod is needed under " + DEBIAN_GOCODE
                    + ": apt-get install golang-golang-x-mod-dev (scripts/test installs it)");
        }
        // GOPATH mode: the helper's source becomes package "goupstream" of a GOPATH of its own, next to
        // Debian's; nothing is fetched (GOPROXY=off).
        Path gopath = work.resolve("helper-gopath");
        Path pkg = Files.createDirectories(gopath.resolve("src/goupstream"));
        Path source = Path.of(System.getProperty("basedir", ".")).resolve("src/test/go/goupstream/main.go");
        Files.copy(source, pkg.resolve("main.go"));
        Path binary = work.resolve("goupstream");
        GoTool.run(work, Map.of("GO111MODULE", "off", "GOPATH", gopath + ":" + DEBIAN_GOCODE, "GOFLAGS", "",
                "GOPROXY", "off", "GOCACHE", work.resolve("helper-gocache").toString()), Duration.ofMinutes(5),
                "build", "-o", binary.toString(), "goupstream").checked();

        Path out = Files.createDirectories(work.resolve("upstream-tree"));
        Path log = work.resolve("goupstream.log");
        Process p = new ProcessBuilder(binary.toString(), "-src", sources.toString(), "-out", out.toString(),
                "-sumdb", dbName).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Wait.until(Duration.ofSeconds(60), () -> "goupstream to listen; log:\n" + read(log), () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("goupstream exited with " + p.exitValue() + "; log:\n" + read(log));
                }
                return read(log).contains("listening ");
            });
            String text = read(log);
            return new LocalGoUpstream(p, log, field(text, "listening "), field(text, "vkey "));
        } catch (RuntimeException | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** The module proxy's URL, {@code http://127.0.0.1:PORT}; the checksum database is under /sumdb/NAME. */
    String url() {
        return url;
    }

    /** The checksum database's verifier key ({@code name+hash+key}), the value of GOSUMDB. */
    String verifierKey() {
        return verifierKey;
    }

    /** Every request served so far, as {@code "<METHOD> <path> <status> <User-Agent>"}. */
    List<String> requests() {
        return read(log).lines().filter(l -> l.startsWith("request ")).map(l -> l.substring("request ".length())).toList();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stops serving: closes the child's standard input, waits for it to exit (kills it after 10 s). */
    void stop() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static String field(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' line in:\n" + text)).substring(prefix.length());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
