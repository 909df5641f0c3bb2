package io.binaryrepo.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest extends ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String YAML = "repositories:\n  - name: hub\n    type: docker\n    url: http://127.0.0.1:9\n";

    @Test
    void ready_allChecksPass_200Up() throws Exception {
        ProxyServer p = proxy(tmp.resolve("cache"), YAML);
        assertEquals(200, get(p, "/health/live").statusCode());
        HttpResponse<byte[]> r = get(p, "/health/ready");
        assertEquals(200, r.statusCode());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("UP", body.path("status").asText());
        for (String check : new String[] {"configuration", "storage", "diskSpace"}) {
            assertEquals("UP", body.path("checks").path(check).path("status").asText(), check);
        }
        assertEquals(Readiness.DEFAULT_MIN_FREE, body.path("checks").path("diskSpace").path("thresholdBytes").asLong());
    }

    @Test
    void ready_storageNotWritable_503NamesStorage() throws Exception {
        Path cache = tmp.resolve("cache");
        ProxyServer p = proxy(cache, YAML);
        // A file where the spool directory was: no new file can be made in the cache (works as root too,
        // where permissions would not stop a write).
        Path spool = cache.resolve(".spool");
        Files.delete(spool);
        Files.writeString(spool, "not a directory");

        HttpResponse<byte[]> r = get(p, "/health/ready");
        assertEquals(503, r.statusCode());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("DOWN", body.path("status").asText());
        assertEquals("DOWN", body.path("checks").path("storage").path("status").asText());
        assertTrue(body.path("checks").path("storage").path("error").asText().startsWith("cannot create a file"),
                body.toString());
        assertEquals("UP", body.path("checks").path("configuration").path("status").asText());
        assertEquals(200, get(p, "/health/live").statusCode(), "alive even when not ready");
    }

    @Test
    void ready_freeSpaceBelowThreshold_503NamesDiskSpace() throws Exception {
        Path cache = tmp.resolve("cache");
        long threshold = Long.MAX_VALUE / 2; // more than any file system has
        ProxyServer p = closeAfter(ProxyServer.start(cache, YAML, clock,
                Map.of(Readiness.MIN_FREE, Long.toString(threshold))));

        HttpResponse<byte[]> r = get(p, "/health/ready");
        assertEquals(503, r.statusCode());
        JsonNode disk = JSON.readTree(r.body()).path("checks").path("diskSpace");
        assertEquals("DOWN", disk.path("status").asText());
        assertEquals(threshold, disk.path("thresholdBytes").asLong());
        assertTrue(disk.path("freeBytes").asLong() < threshold);
        assertEquals("UP", JSON.readTree(r.body()).path("checks").path("storage").path("status").asText());
    }

    @Test
    void unknownHealthPath_404() throws Exception {
        ProxyServer p = proxy(tmp.resolve("cache"), YAML);
        assertEquals(404, get(p, "/health/other").statusCode());
    }
}
