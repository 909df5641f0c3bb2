package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Self-test of {@link Containerd} without binaryrepo: a plain (open, HTTP) CNCF registry seeded
 * by {@link TestImages}, pulled by containerd through a {@code hosts.toml} mirror and directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerdIT {

    private CncfRegistry registry;
    private TestImages.PushedImage small;

    @BeforeAll
    void seed() {
        try {
            registry = CncfRegistry.open();
            small = TestImages.small(registry, "library/small:1");
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void mirror_dockerIoNamePulledFromTheMirror_digestEqualsPushed() {
        Path dir;
        try (Containerd containerd = Containerd.start()) {
            dir = containerd.dir();
            containerd.mirror("docker.io", registry.url() + "/v2");
            String hostsToml = readString(containerd.hostsDir().resolve("docker.io").resolve("hosts.toml"));
            assertTrue(hostsToml.contains("override_path = true"), hostsToml);

            assertEquals(small.digest(), containerd.pull("docker.io/library/small:1"));
            // the request went to the mirror, with containerd's ?ns= parameter
            assertTrue(registry.logText().contains("/v2/library/small/manifests/1?ns=docker.io"),
                    registry.logText());
        }
        assertFalse(Files.exists(dir), dir + " deleted by close()");
    }

    @Test
    void pullDirect_plainHttp_digestEqualsPushed() {
        try (Containerd containerd = Containerd.start()) {
            assertEquals(small.digest(), containerd.pullDirect(small.reference(), true));
        }
    }

    @Test
    void pull_missingImage_failsWithCtrOutputAndDaemonLog() {
        try (Containerd containerd = Containerd.start()) {
            containerd.mirror("docker.io", registry.url() + "/v2");
            AssertionError e = assertThrows(AssertionError.class,
                    () -> containerd.pull("docker.io/library/missing:1"));
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
            assertTrue(e.getMessage().contains("--- containerd log (tail) ---"), e.getMessage());
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
