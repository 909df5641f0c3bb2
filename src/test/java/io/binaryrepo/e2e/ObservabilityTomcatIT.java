package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAR in real Tomcat: web.xml maps /metrics, /health/*, the dashboard at the context root and
 * /api/v1/stats, and Tomcat's own request thread pool shows up among the meters (read from its MBeans).
 */
class ObservabilityTomcatIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path work;

    @Test
    void war_inTomcat_servesMetricsHealthAndDashboard() throws Exception {
        try (FakeRegistry up = FakeRegistry.start(false)) {
            FakeRegistry.Image img = up.putImage("library/app", "1", new byte[] {1, 2, 3, 4, 5});
            Path config = work.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url() + "\n");
            try (TomcatDeployment tomcat = TomcatDeployment.start(work.resolve("tomcat"), work.resolve("cache"), config)) {
                String base = "http://127.0.0.1:" + tomcat.port();
                String blob = base + "/v2/hub/library/app/blobs/" + img.layerDigests().get(0);
                assertEquals(200, get(blob).statusCode(), tomcat.log());
                assertEquals(200, get(blob).statusCode());

                Scrape s = Scrape.of(client, base);
                String[] hub = {"repository", "hub", "format", "docker"};
                assertEquals(1, s.value("binaryrepo_requests_total", "repository", "hub", "format", "docker",
                        "outcome", "miss"));
                assertEquals(1, s.value("binaryrepo_requests_total", "repository", "hub", "format", "docker",
                        "outcome", "hit"));
                assertEquals(10, s.value("binaryrepo_served_bytes_total", "repository", "hub", "format", "docker",
                        "source", "upstream") + s.value("binaryrepo_served_bytes_total", "repository", "hub",
                        "format", "docker", "source", "cache"));
                assertTrue(s.has("binaryrepo_upstream_request_duration_seconds"), "histogram of " + hub[1]);
                // Tomcat registers its connector's pool after the webapp started: bound by the metrics thread.
                Wait.until(java.time.Duration.ofSeconds(30), "Tomcat's thread pool among the meters",
                        () -> scrape(base).has("container_threads_max"));
                Scrape later = scrape(base);
                assertTrue(later.value("container_threads_max") > 0, later.text());
                assertTrue(later.value("container_threads_busy") >= 1, "this scrape runs on one of them");

                assertEquals(200, get(base + "/health/live").statusCode());
                HttpResponse<String> ready = get(base + "/health/ready");
                assertEquals(200, ready.statusCode(), ready.body());
                assertEquals("UP", JSON.readTree(ready.body()).path("status").asText());

                assertEquals(401, get(base + "/api/v1/stats").statusCode(), "the admin API needs binaryrepo-admin");
                JsonNode stats = JSON.readTree(get(base + "/ui/stats").body());
                assertEquals(2, stats.path("repositories").path(0).path("requests").asLong());
                for (String page : new String[] {"/", "/ui/"}) {
                    HttpResponse<String> html = get(base + page);
                    assertEquals(200, html.statusCode(), page);
                    assertTrue(html.body().contains("<span data-stat=\"repositories.0.requests\">2</span>"), html.body());
                }
                assertEquals(404, get(base + "/nothing-here").statusCode(), "the root mapping is exact");
            }
        }
    }

    private Scrape scrape(String base) {
        try {
            return Scrape.of(client, base);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
