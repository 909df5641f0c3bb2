package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.binaryrepo.helm.ChartServer.Origin;
import io.binaryrepo.testing.AdminApi;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The admin API (issue 10) on a Helm repository: listing by chart file, purge and prefetch by chart:version. */
class HelmAdminTest extends ComponentTest {
    private final TestUsers users = new TestUsers();
    private final TestUsers.User admin = users.add("ops", "binaryrepo-admin");
    private ChartServer up;
    private ProxyServer proxy;
    private AdminApi api;

    private void start() throws Exception {
        up = closeAfter(ChartServer.start());
        String entries = entry("nginx", "1.0.0") + entry("nginx", "1.1.0");
        up.putIndex(TestCharts.index(Map.of("nginx", entries, "nginx-ingress", entry("nginx-ingress", "2.0.0"))));
        String yaml = "repositories:\n  - name: helm\n    type: helm\n    url: " + up.repoUrl()
                + "\n    metadataTtl: 5m\n    readTimeout: 2s\n    allowedHosts: [\"" + up.releasesHost() + "\"]\n";
        proxy = closeAfter(ProxyServer.start(tmp.resolve("cache"), yaml, clock, Map.of(), users));
        api = new AdminApi(proxy.url(), admin.basic());
    }

    private String entry(String name, String version) {
        byte[] tgz = TestCharts.chart(name, version);
        String path = "/download/" + name + "-" + version + ".tgz";
        up.put(Origin.RELEASES, path, tgz);
        return TestCharts.entry(name, version, up.releasesUrl() + path, tgz);
    }

    private Set<String> listed() throws Exception {
        AdminApi.Answer a = api.get("/api/v1/repositories/helm/content");
        assertEquals(200, a.status(), a.body());
        Set<String> paths = new HashSet<>();
        a.json().path("items").forEach(i -> paths.add(i.path("path").asText()));
        return paths;
    }

    @Test
    void prefetchChartVersion_cachesThatChart_listedByFileName() throws Exception {
        start();
        JsonNode job = api.prefetch("helm", "{\"references\": [\"nginx:1.1.0\"]}");
        assertEquals("done", job.path("state").asText(), job.toString());
        assertEquals(2, job.path("total").asInt(), "index and one chart: " + job);
        assertEquals(1, up.count(Origin.RELEASES, "/download/nginx-1.1.0.tgz"));
        assertEquals(0, up.count(Origin.RELEASES, "/download/nginx-1.0.0.tgz"));
        assertEquals(Set.of("index.yaml", "nginx-1.1.0.tgz"), listed());
    }

    @Test
    void purgeChart_removesEveryVersionButNotOtherCharts() throws Exception {
        start();
        api.prefetch("helm", "{\"references\": [\"nginx:1.0.0\", \"nginx:1.1.0\", \"nginx-ingress:2.0.0\"]}");
        AdminApi.Answer a = api.delete("/api/v1/repositories/helm/content?path=nginx");
        assertEquals(200, a.status(), a.body());
        assertEquals(2, a.json().path("removed").asLong(), "two charts: " + a.body());
        assertEquals(Set.of("index.yaml", "nginx-ingress-2.0.0.tgz"), listed());
    }

    @Test
    void purgeChartVersion_nextDownloadRefetches() throws Exception {
        start();
        api.prefetch("helm", "{\"references\": [\"nginx:1.0.0\", \"nginx:1.1.0\"]}");
        AdminApi.Answer a = api.delete("/api/v1/repositories/helm/content?path=" + AdminApi.q("nginx:1.0.0"));
        assertEquals(200, a.status(), a.body());
        assertEquals(1, a.json().path("removed").asLong(), a.body());
        assertEquals(Set.of("index.yaml", "nginx-1.1.0.tgz"), listed());
        JsonNode again = api.prefetch("helm", "{\"references\": [\"nginx:1.0.0\"]}");
        assertEquals("done", again.path("state").asText(), again.toString());
        assertEquals(2, up.count(Origin.RELEASES, "/download/nginx-1.0.0.tgz"));
    }

    @Test
    void badReferences_400_unknownChart_jobFails() throws Exception {
        start();
        for (String bad : List.of("", "nginx:", "Bad Chart", "nginx:x1", "../nginx")) {
            assertEquals(400, api.delete("/api/v1/repositories/helm/content?path=" + AdminApi.q(bad)).status(), bad);
        }
        assertEquals(400, api.post("/api/v1/repositories/helm/prefetch", "{\"references\": [\"nginx\"]}").status());
        JsonNode job = api.prefetch("helm", "{\"references\": [\"nginx:9.9.9\"]}");
        assertEquals("failed", job.path("state").asText(), job.toString());
        assertFalse(job.path("errors").isEmpty());
    }
}
