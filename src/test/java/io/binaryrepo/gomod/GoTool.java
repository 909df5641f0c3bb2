package io.binaryrepo.gomod;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's {@code go} command (golang-go, Go 1.19) in a directory with a controlled environment:
 * the variables that could make it bypass the proxy or read a user's settings ({@code GOENV},
 * {@code GOPRIVATE}, {@code GONOPROXY}, {@code GONOSUMDB}, {@code GOINSECURE}, {@code GOFLAGS}, ...) are
 * always set by the caller's map or emptied here. Output goes to a temporary file (removed afterwards),
 * so a hanging command cannot block a pipe; the command is killed after the timeout.
 */
final class GoTool {
    /** Variables always set, so nothing from the machine's environment leaks into a test run. */
    private static final Map<String, String> ISOLATION = Map.of("GOENV", "off", "GOPRIVATE", "", "GONOPROXY", "",
            "GONOSUMDB", "", "GONOSUMCHECK", "", "GOINSECURE", "", "GOTOOLCHAIN", "local", "GO111MODULE", "on",
            "CGO_ENABLED", "0", "GOWORK", "off");

    /** Outcome of one command. */
    record Result(List<String> command, int exitCode, String output) {
        Result checked() {
            if (exitCode != 0) {
                throw new AssertionError("go command failed with exit code " + exitCode + ": "
                        + String.join(" ", command) + "\n" + output);
            }
            return this;
        }
    }

    private GoTool() {
    }

    /** The go command's version line, or an AssertionError naming the Debian packages to install. */
    static String version() {
        try {
            return run(Path.of(System.getProperty("java.io.tmpdir")), Map.of("GOFLAGS", "", "GOPROXY", "off"),
                    Duration.ofSeconds(30), "version").checked().output().trim();
        } catch (AssertionError e) {
            throw new AssertionError("the go command is needed: apt-get install golang-go golang-golang-x-mod-dev "
                    + "(scripts/test installs them)", e);
        }
    }

    /**
     * Runs {@code go args...} in {@code dir}.
     *
     * @param env added to the isolation defaults and this JVM's environment (wins over both)
     */
    static Result run(Path dir, Map<String, String> env, Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add("go");
        command.addAll(List.of(args));
        Path out;
        try {
            out = Files.createTempFile("binaryrepo-go-", ".log");
        } catch (IOException e) {
            throw new AssertionError("cannot create a temporary file: " + e, e);
        }
        try {
            return run(command, dir, env, timeout, out);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a leftover log in java.io.tmpdir is harmless
            }
        }
    }

    private static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout, Path out) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(ISOLATION);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("go command timed out after " + timeout + ": " + command + "\n" + read(out));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
        return new Result(command, p.exitValue(), read(out));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read " + file + ": " + e + ">";
        }
    }
}
