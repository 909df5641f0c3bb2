package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.helm.ChartServer.Origin;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real Helm 3 (helm-java) through binaryrepo: {@code repo add}, {@code repo update}, {@code search repo},
 * {@code template} of a repository chart and {@code dependency update}, from an upstream whose index
 * names its charts by absolute URLs on a second server (a release download site). Two clients with
 * their own Helm homes fetch the same charts; the release server sees each chart once.
 */
class HelmClientTest extends ComponentTest {

    @Test
    void helmClients_addSearchTemplateAndUpdateDependencies_throughTheCache_releaseServerSeesEachChartOnce()
            throws Exception {
        ChartServer up = closeAfter(ChartServer.start());
        byte[] hello = TestCharts.chart("hello", "0.1.0");
        byte[] world = TestCharts.chart("world", "1.0.0");
        up.put(Origin.RELEASES, "/releases/hello-0.1.0/hello-0.1.0.tgz", hello);
        up.put(Origin.RELEASES, "/releases/world-1.0.0/world-1.0.0.tgz", world);
        up.putIndex(TestCharts.index(Map.of(
                "hello", TestCharts.entry("hello", "0.1.0", up.releasesUrl() + "/releases/hello-0.1.0/hello-0.1.0.tgz", hello),
                "world", TestCharts.entry("world", "1.0.0", up.releasesUrl() + "/releases/world-1.0.0/world-1.0.0.tgz", world))));
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n  - name: helm\n    type: helm\n    url: "
                + up.repoUrl() + "\n    allowedHosts: [\"" + up.releasesHost() + "\"]\n");
        String repoUrl = p.url() + "/repo/helm";

        for (int client = 1; client <= 2; client++) {
            HelmClient helm = new HelmClient(tmp.resolve("client-" + client));
            Path parent = umbrellaChart(tmp.resolve("umbrella-" + client), repoUrl);

            String out = helm.run("repo-add", "cache", repoUrl, "repo-update", "search", "hello",
                    "template", "cache/hello", "dependency-update", parent.toString());

            assertTrue(out.contains("cache/hello 0.1.0"), "search repo finds the chart:\n" + out);
            assertTrue(out.contains("name: rel-hello") && out.contains("chart: \"hello-0.1.0\""),
                    "template rendered the chart fetched through the cache:\n" + out);
            assertArrayEquals(world, Files.readAllBytes(parent.resolve("charts/world-1.0.0.tgz")),
                    "dependency update stored the chart as published");
            assertTrue(Files.readString(parent.resolve("Chart.lock")).contains(repoUrl), "the lock names the cache");
            String cachedIndex = Files.readString(tmp.resolve("client-" + client + "/cache/repository/cache-index.yaml"));
            assertTrue(cachedIndex.contains(repoUrl + "/_charts/") && !cachedIndex.contains(up.releasesUrl()),
                    "the client's index names only the cache:\n" + cachedIndex);
        }

        assertEquals(1, up.count(Origin.RELEASES, "/releases/hello-0.1.0/hello-0.1.0.tgz"));
        assertEquals(1, up.count(Origin.RELEASES, "/releases/world-1.0.0/world-1.0.0.tgz"));
    }

    /** A chart depending on {@code world} 1.0.0 from {@code repoUrl}. */
    private static Path umbrellaChart(Path dir, String repoUrl) throws Exception {
        Files.createDirectories(dir.resolve("templates"));
        Files.writeString(dir.resolve("Chart.yaml"), "apiVersion: v2\nname: umbrella\nversion: 0.0.1\n"
                + "dependencies:\n  - name: world\n    version: 1.0.0\n    repository: " + repoUrl + "\n");
        return dir;
    }
}
