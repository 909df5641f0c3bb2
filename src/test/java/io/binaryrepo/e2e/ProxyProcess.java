package io.binaryrepo.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * binaryrepo (servlet in embedded Jetty, {@code io.binaryrepo.testing.ProxyMain}) in its own JVM, so a
 * test can cap its heap or kill it with SIGKILL.
 */
public final class ProxyProcess implements AutoCloseable {
    private final ExternalProcess process;
    private final int port;

    private ProxyProcess(ExternalProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts binaryrepo on {@code port} with heap capped at {@code maxHeap} (e.g. {@code 256m}). */
    public static ProxyProcess start(Path storageDir, Path repositoriesFile, int port, String maxHeap) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"),
                "io.binaryrepo.testing.ProxyMain", storageDir.toString(), repositoriesFile.toString(),
                Integer.toString(port)));
        ExternalProcess p = ExternalProcess.start("binaryrepo", Map.of(), cmd);
        try {
            p.waitForHttp("http://127.0.0.1:" + port + "/v2/", Duration.ofSeconds(60));
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
        return new ProxyProcess(p, port);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The JVM's process id (for jcmd). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logText() {
        return process.logText();
    }

    /** SIGKILL, no shutdown hooks: what a crash or the OOM killer does. Waits until the process is gone. */
    public void kill9() throws InterruptedException {
        ProcessHandle h = ProcessHandle.of(process.pid()).orElseThrow();
        h.destroyForcibly();
        Wait.until(Duration.ofSeconds(10), "binaryrepo to die", () -> !h.isAlive());
    }

    @Override
    public void close() {
        process.close();
    }
}
