package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.LogCapture;
import io.binaryrepo.testing.ProxyServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download limits are context parameters; a bad one stops the webapp with a message naming it. */
class DownloadSettingsTest {
    private static final String YAML = "repositories:\n  - name: hub\n    type: docker\n    url: http://127.0.0.1:9\n";

    @TempDir
    Path tmp;

    @Test
    void badAbandonLimit_webappDoesNotStart_messageNamesTheParameter() throws Exception {
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            assertThrows(Exception.class, () -> ProxyServer.start(tmp.resolve("cache"), YAML, null,
                    Map.of("binaryrepo.download.abandonLimit", "a lot")));
            List<String> errors = log.messages(Level.SEVERE, "BinaryrepoListener");
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("binaryrepo.download.abandonLimit is 'a lot'"), errors.get(0));
        }
    }

    @Test
    void validLimits_webappStarts() throws Exception {
        try (ProxyServer p = ProxyServer.start(tmp.resolve("cache"), YAML, null,
                Map.of("binaryrepo.download.abandonLimit", "200GiB", "binaryrepo.download.maxConcurrent", "8"))) {
            assertTrue(p.port() > 0);
        }
    }
}
