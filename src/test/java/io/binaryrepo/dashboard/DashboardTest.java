package io.binaryrepo.dashboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DashboardTest extends ComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String yaml(FakeRegistry up) {
        return "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url() + "\n    readTimeout: 5s\n";
    }

    @Test
    void stats_afterPulls_countsAndLastErrors() throws Exception {
        FakeRegistry up = upstream(false);
        FakeRegistry.Image img = up.putImage("library/app", "1", random(50_000, 3));
        up.rateLimitRemaining = "12;w=21600";
        ProxyServer p = proxy(tmp.resolve("cache"), yaml(up));
        String blob = "/v2/hub/library/app/blobs/" + img.layerDigests().get(0);
        assertEquals(200, get(p, "/v2/hub/library/app/manifests/1").statusCode());
        assertEquals(200, get(p, blob).statusCode());
        assertEquals(200, get(p, blob).statusCode());
        up.manifestMode = FakeRegistry.ManifestMode.FAIL_500;
        assertEquals(502, get(p, "/v2/hub/library/app/manifests/2").statusCode());

        assertArrayEquals(JSON.readTree(get(p, "/ui/stats").body()).path("repositories").toString().getBytes(),
                JSON.readTree(get(p, "/api/v1/stats").body()).path("repositories").toString().getBytes(),
                "the page's feed and the admin API give the same numbers");
        HttpResponse<byte[]> r = get(p, "/api/v1/stats");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode hub = JSON.readTree(r.body()).path("repositories").path(0);
        assertEquals("hub", hub.path("name").asText());
        assertEquals("docker", hub.path("format").asText());
        assertEquals(4, hub.path("requests").asLong());
        assertEquals(1, hub.path("outcomes").path("hit").asLong());
        assertEquals(2, hub.path("outcomes").path("miss").asLong());
        assertEquals(1, hub.path("outcomes").path("error").asLong());
        assertEquals(1.0 / 3, hub.path("hitRatio").asDouble(), 1e-9);
        assertEquals(50_000, hub.path("servedFromCacheBytes").asLong());
        assertEquals(12, hub.path("rateLimitRemaining").asLong());
        assertEquals(100, hub.path("rateLimitLimit").asLong());
        assertEquals(60, hub.path("history").path("outcomes").path("miss").size());
        assertEquals(2, hub.path("history").path("outcomes").path("miss").get(59).asLong(), "this minute");
        assertEquals(50_000, hub.path("history").path("bytesSaved").get(59).asLong());
        JsonNode error = JSON.readTree(r.body()).path("upstreamErrors").path(0);
        assertEquals("500", error.path("status").asText());
        assertEquals("hub", error.path("repository").asText());
        assertEquals("/v2/library/app/manifests/2", error.path("path").asText());

        for (String page : new String[] {"/", "/ui/"}) {
            HttpResponse<byte[]> html = get(p, page);
            assertEquals(200, html.statusCode(), page);
            assertEquals("text/html;charset=utf-8", html.headers().firstValue("Content-Type").orElse("")
                    .replace(" ", "").toLowerCase());
            String body = new String(html.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("<span data-stat=\"repositories.0.requests\">4</span>"), body);
            assertTrue(body.contains("/v2/library/app/manifests/2"), "the error is listed");
            assertTrue(!body.contains("src=\"http") && !body.contains("href=\"http"), "no external assets");
        }
    }

    @Test
    void adminDashboard_userWithoutRole_403() throws Exception {
        FakeRegistry up = upstream(false);
        ProxyServer p = closeAfter(ProxyServer.start(tmp.resolve("cache"), yaml(up), clock,
                Map.of(DashboardServlet.ACCESS, "admin")));
        assertEquals(403, get(p, "/").statusCode());
        assertEquals(403, get(p, "/api/v1/stats").statusCode());
        assertEquals(403, get(p, "/ui/stats").statusCode());
        assertEquals(200, get(p, "/health/live").statusCode(), "probes stay open");
    }
}
