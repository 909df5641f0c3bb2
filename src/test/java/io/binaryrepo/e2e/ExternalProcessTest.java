package io.binaryrepo.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalProcessTest {

    private static final Duration T = Duration.ofSeconds(20);

    @Test
    void runCapturesExitCodeCombinedOutputAndExactStdout() {
        ExternalProcess.Result r = ExternalProcess.run(T, Map.of("E2E_GREETING", "hi"),
                "sh", "-c", "printf 'out:%s' \"$E2E_GREETING\"; echo err-line >&2; exit 3");
        assertEquals(3, r.exitCode());
        assertFalse(r.succeeded());
        assertArrayEquals("out:hi".getBytes(), r.stdoutBytes());
        assertTrue(r.output().contains("out:hi") && r.output().contains("err-line"), r.output());
    }

    @Test
    void runCheckedThrowsWithTheOutput() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> ExternalProcess.runChecked(T, Map.of(), "sh", "-c", "echo broken-thing >&2; exit 7"));
        assertTrue(e.getMessage().contains("exit code 7"), e.getMessage());
        assertTrue(e.getMessage().contains("broken-thing"), e.getMessage());
        assertEquals("ok\n", ExternalProcess.runChecked(T, Map.of(), "echo", "ok").stdout());
    }

    @Test
    void runKillsACommandThatOverrunsItsTimeout() {
        long start = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> ExternalProcess.run(Duration.ofMillis(300), Map.of(), "sh", "-c", "echo started; exec sleep 30"));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000);
    }

    @Test
    void startLogsToAFileAndCloseStopsTheProcess() throws Exception {
        ExternalProcess p = ExternalProcess.start("sleeper", Map.of(), "sh", "-c", "echo sleeper-up; exec sleep 60");
        try {
            assertTrue(p.logFile().getFileName().toString().matches("sleeper-\\d+\\.log"), p.logFile().toString());
            assertEquals(java.nio.file.Paths.get(System.getProperty("e2e.logs.dir", "target/e2e-logs")).toAbsolutePath(),
                    p.logFile().getParent());
            Wait.until(Duration.ofSeconds(10), () -> p.logText().contains("sleeper-up"));
            assertTrue(p.isAlive());
        } finally {
            p.close();
        }
        assertFalse(p.isAlive());
        assertFalse(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(Files.exists(p.logFile()));
    }

    @Test
    void closeKillsAProcessThatIgnoresSigterm() {
        ExternalProcess p = ExternalProcess.start("stubborn", Map.of(),
                "sh", "-c", "trap '' TERM; echo trapped; while :; do sleep 1; done");
        Wait.until(Duration.ofSeconds(10), () -> p.logText().contains("trapped"));
        long start = System.nanoTime();
        p.close();
        assertFalse(p.isAlive());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 15_000);
    }

    @Test
    void waitForHttpFailsFastWithTheLogWhenTheProcessDies() {
        try (ExternalProcess p = ExternalProcess.start("dies", Map.of(), "sh", "-c", "echo no-server-here; exit 4")) {
            long start = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class,
                    () -> p.waitForHttp("http://127.0.0.1:" + Ports.free() + "/", Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("no-server-here"), e.getMessage());
            assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000);
        }
    }

    @Test
    void waitForHttpReturnsOnAnyStatus() throws Exception {
        int port = Ports.free();
        java.nio.file.Path dir = TempDirs.create("external-process-test");
        try {
            java.nio.file.Path config = dir.resolve("config.yml");
            Files.writeString(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + dir
                    + "\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
            try (ExternalProcess p = ExternalProcess.start("http", Map.of(), "docker-registry", "serve", config.toString())) {
                // the registry answers 404 for this path: any status counts
                p.waitForHttp("http://127.0.0.1:" + port + "/no-such-path", Duration.ofSeconds(20));
                assertTrue(p.isAlive());
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }
}
