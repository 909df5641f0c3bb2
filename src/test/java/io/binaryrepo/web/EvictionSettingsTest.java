package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.cache.EvictionPolicy;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.config.Settings;
import io.binaryrepo.testing.LogCapture;
import io.binaryrepo.testing.ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** binaryrepo.storage.maxSize / maxAge / evictionGrace: parsed, overridable, and a bad value stops the webapp. */
class EvictionSettingsTest {
    private static final String YAML = "repositories:\n  - name: hub\n    type: docker\n    url: http://127.0.0.1:9\n";

    @TempDir
    Path tmp;

    private static EvictionPolicy policy(Map<String, String> context, Map<String, String> system) {
        return BinaryrepoListener.evictionPolicy(new Settings(context::get, system::get));
    }

    @Test
    void unset_noCapNoAge_logsOneLineSayingSo() {
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            EvictionPolicy p = policy(Map.of(), Map.of());
            assertEquals(0, p.maxBytes());
            assertEquals(null, p.maxAge());
            List<String> lines = log.messages(Level.INFO, "BinaryrepoListener");
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("no cache size cap (binaryrepo.storage.maxSize unset)"), lines.get(0));
        }
    }

    @ParameterizedTest
    @CsvSource({"1048576, 1048576", "64KiB, 65536", "300MiB, 314572800", "200GiB, 214748364800", "2TiB, 2199023255552"})
    void maxSize_unitsAccepted(String value, long bytes) {
        assertEquals(bytes, policy(Map.of(Settings.STORAGE_MAX_SIZE, value), Map.of()).maxBytes());
    }

    @Test
    void systemProperty_overridesContextParameter() {
        EvictionPolicy p = policy(Map.of(Settings.STORAGE_MAX_SIZE, "1GiB", Settings.STORAGE_MAX_AGE, "7d"),
                Map.of(Settings.STORAGE_MAX_SIZE, "2GiB", Settings.STORAGE_MAX_AGE, "90d"));
        assertEquals(2L << 30, p.maxBytes());
        assertEquals(Duration.ofDays(90), p.maxAge());
    }

    @ParameterizedTest
    @CsvSource({"binaryrepo.storage.maxSize, lots", "binaryrepo.storage.maxSize, 10GB", "binaryrepo.storage.maxSize, 0",
            "binaryrepo.storage.maxAge, 90 days", "binaryrepo.storage.maxAge, 0",
            "binaryrepo.storage.evictionGrace, soon"})
    void badValue_refusedNamingTheParameter(String name, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> policy(Map.of(name, value), Map.of()));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void badMaxSize_webappDoesNotStart_messageNamesTheParameter() {
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            assertThrows(Exception.class, () -> ProxyServer.start(tmp.resolve("cache"), YAML, null,
                    Map.of("binaryrepo.storage.maxSize", "a lot")));
            List<String> errors = log.messages(Level.SEVERE, "BinaryrepoListener");
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("binaryrepo.storage.maxSize is 'a lot'"), errors.get(0));
        }
    }

    @Test
    void validSettings_webappStarts_logsTheCap() throws Exception {
        try (LogCapture log = new LogCapture("io.binaryrepo");
                ProxyServer p = ProxyServer.start(tmp.resolve("cache"), YAML, null,
                        Map.of("binaryrepo.storage.maxSize", "300MiB", "binaryrepo.storage.maxAge", "90d"))) {
            assertTrue(p.port() > 0);
            assertTrue(log.messages(Level.INFO, "BinaryrepoListener").stream()
                    .anyMatch(m -> m.contains("cache size cap 314572800 bytes")), log.messages(Level.INFO, "").toString());
        }
    }
}
