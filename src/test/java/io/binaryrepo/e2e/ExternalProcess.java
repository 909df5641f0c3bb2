package io.binaryrepo.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A long-running child process (a registry, a web server...) whose stdout and stderr both go
 * to {@code target/e2e-logs/<name>-<n>.log} (the directory can be moved with the system
 * property {@code e2e.logs.dir}). {@link #close()} sends SIGTERM, then SIGKILL after
 * {@value #GRACE_SECONDS} s. The static {@link #run}/{@link #runChecked} helpers run a short
 * command to completion and capture its output.
 */
public final class ExternalProcess implements AutoCloseable {

    /** Seconds between SIGTERM and SIGKILL in {@link #close()}. */
    public static final int GRACE_SECONDS = 5;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final List<String> command;
    private final Path logFile;
    private final Process process;

    private ExternalProcess(String name, List<String> command, Path logFile, Process process) {
        this.name = name;
        this.command = command;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts {@code command}; {@code env} (may be empty) is added to this JVM's environment.
     *
     * @param name short name used for the log file, e.g. {@code "registry"}
     * @throws UncheckedIOException when the command cannot be started
     */
    public static ExternalProcess start(String name, Map<String, String> env, List<String> command) {
        Path log = newLogFile(name);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        pb.environment().putAll(env);
        try {
            Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator());
            return new ExternalProcess(name, List.copyOf(command), log, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Varargs form of {@link #start(String, Map, List)}. */
    public static ExternalProcess start(String name, Map<String, String> env, String... command) {
        return start(name, env, List.of(command));
    }

    /** The name given at start. */
    public String name() {
        return name;
    }

    /** The command line as started. */
    public List<String> command() {
        return command;
    }

    /** The file receiving stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** Everything the process printed so far (the first line is the command). */
    public String logText() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read " + logFile + ": " + e + ">";
        }
    }

    /** The process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Polls {@code url} with GET until any HTTP status comes back.
     *
     * @throws AssertionError (with the log) when the process exits first or {@code timeout} passes
     */
    public void waitForHttp(String url, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build();
        Wait.until(timeout, () -> url + " to answer; log of " + name + ":\n" + logText(), () -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue()
                        + " before " + url + " answered; log:\n" + logText());
            }
            try {
                client.send(request, HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        });
    }

    /**
     * Stops the process and its descendants: SIGTERM, then SIGKILL if still alive after
     * {@value #GRACE_SECONDS} s; waits for it to be gone. Idempotent.
     */
    @Override
    public void close() {
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + ", log " + logFile + "]";
    }

    /**
     * Outcome of {@link #run}: exit code, stdout+stderr interleaved roughly in arrival order
     * ({@code output}), and stdout alone as exact bytes.
     */
    public record Result(List<String> command, int exitCode, String output, byte[] stdoutBytes) {

        /** stdout alone, as UTF-8 text. */
        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        /** Whether the exit code was 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }

        /**
         * Returns this result when the exit code was 0.
         *
         * @throws AssertionError with command and output otherwise
         */
        public Result checked() {
            if (exitCode != 0) {
                throw new AssertionError("Command failed with exit code " + exitCode + ": "
                        + String.join(" ", command) + "\n" + output);
            }
            return this;
        }
    }

    /**
     * Runs {@code cmd} to completion (stdin empty); {@code env} (may be empty) is added to this
     * JVM's environment. Never throws for a non-zero exit.
     *
     * @throws AssertionError when the command cannot start or runs longer than {@code timeout}
     *     (it is then killed)
     */
    public static Result run(Duration timeout, Map<String, String> env, String... cmd) {
        List<String> command = List.of(cmd);
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command + ": " + e, e);
        }
        StringBuffer combined = new StringBuffer();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Thread outPump = pump(p.getInputStream(), stdout, combined);
        Thread errPump = pump(p.getErrorStream(), null, combined);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
                outPump.join(1000);
                errPump.join(1000);
                throw new AssertionError("Command timed out after " + timeout.toMillis() + " ms: "
                        + String.join(" ", command) + "\n" + combined);
            }
            outPump.join();
            errPump.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
        byte[] out;
        synchronized (stdout) {
            out = stdout.toByteArray();
        }
        return new Result(command, p.exitValue(), combined.toString(), out);
    }

    /**
     * Like {@link #run} but fails on a non-zero exit.
     *
     * @return the result, whose exit code is 0
     * @throws AssertionError with command and output on a non-zero exit or timeout
     */
    public static Result runChecked(Duration timeout, Map<String, String> env, String... cmd) {
        return run(timeout, env, cmd).checked();
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream copy, StringBuffer combined) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    combined.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (copy != null) {
                        synchronized (copy) {
                            copy.write(buf, 0, n);
                        }
                    }
                }
            } catch (IOException ignored) {
                // process killed; keep what we have
            }
        }, "e2e-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Path newLogFile(String name) {
        Path dir = Paths.get(System.getProperty("e2e.logs.dir", "target/e2e-logs")).toAbsolutePath();
        try {
            Files.createDirectories(dir);
            while (true) {
                Path candidate = dir.resolve(name + "-" + COUNTER.incrementAndGet() + ".log");
                try {
                    return Files.createFile(candidate);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // left over from an earlier run in the same target/: take the next number
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create log file in " + dir, e);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }
}
