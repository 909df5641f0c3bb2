package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.helm.ChartServer.Origin;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import io.binaryrepo.testing.TestUsers.User;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A protected Helm repository (issue 12): the same Basic challenge as Docker, answered by real Helm
 * ({@code helm repo add --username/--password}); the index and the rewritten chart URLs are refused
 * without a login, cached or not.
 */
class HelmAccessTest extends ComponentTest {
    private final TestUsers users = new TestUsers();
    private final User alice = users.add("alice", "team-a");
    private final User reader = users.add("reader", "binaryrepo-read");

    private HttpResponse<byte[]> index(ProxyServer p) throws Exception {
        return get(p, "/repo/charts/index.yaml", "Authorization", alice.basic());
    }

    @Test
    void protectedHelmRepository_helmWithCredentialsInstalls_withoutOrWrongRoleRefused() throws Exception {
        ChartServer up = closeAfter(ChartServer.start());
        byte[] hello = TestCharts.chart("hello", "0.1.0");
        up.put(Origin.RELEASES, "/releases/hello-0.1.0.tgz", hello);
        up.putIndex(TestCharts.index(Map.of("hello",
                TestCharts.entry("hello", "0.1.0", up.releasesUrl() + "/releases/hello-0.1.0.tgz", hello))));
        ProxyServer p = closeAfter(ProxyServer.start(tmp.resolve("cache"), "repositories:\n  - name: charts\n"
                + "    type: helm\n    roles: [team-a]\n    url: " + up.repoUrl() + "\n"
                // the releases origin is another port of 127.0.0.1: allowed explicitly (issue 17)
                + "    allowedHosts: [\"" + up.releasesHost() + "\"]\n", clock, Map.of(), users));
        String repoUrl = p.url() + "/repo/charts";

        AssertionError anonymous = assertThrows(AssertionError.class,
                () -> new HelmClient(tmp.resolve("anon")).run("repo-add", "cache", repoUrl));
        assertTrue(anonymous.getMessage().contains("401"), anonymous.getMessage());
        AssertionError wrong = assertThrows(AssertionError.class, () -> new HelmClient(tmp.resolve("wrong"))
                .run("repo-add-auth", "cache", repoUrl, alice.name(), "wrong-" + UUID.randomUUID()));
        assertTrue(wrong.getMessage().contains("401"), wrong.getMessage());
        AssertionError noRole = assertThrows(AssertionError.class, () -> new HelmClient(tmp.resolve("reader"))
                .run("repo-add-auth", "cache", repoUrl, reader.name(), reader.password()));
        assertTrue(noRole.getMessage().contains("403"), noRole.getMessage());

        String out = new HelmClient(tmp.resolve("alice")).run("repo-add-auth", "cache", repoUrl, alice.name(),
                alice.password(), "repo-update", "template", "cache/hello");
        assertTrue(out.contains("chart: \"hello-0.1.0\""), "template rendered the chart fetched with credentials:\n" + out);
        assertEquals(1, up.count(Origin.RELEASES, "/releases/hello-0.1.0.tgz"));

        // now cached: index and chart still need the login, and the challenge is the Basic one
        HttpResponse<byte[]> index = get(p, "/repo/charts/index.yaml");
        assertEquals(401, index.statusCode());
        assertEquals("Basic realm=\"binaryrepo\"", index.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(200, get(p, "/repo/charts/index.yaml", "Authorization", alice.basic()).statusCode());
        Matcher url = Pattern.compile(Pattern.quote(p.url())
                + "(/repo/charts/_charts/[^\\s\"']+\\.tgz)").matcher(new String(index(p).body()));
        assertTrue(url.find(), "a rewritten chart URL in the index");
        String chartPath = url.group(1);
        assertEquals(401, get(p, chartPath).statusCode());
        assertEquals(403, get(p, chartPath, "Authorization", reader.basic()).statusCode());
        assertEquals(200, get(p, chartPath, "Authorization", alice.basic()).statusCode());
        assertEquals(1, up.count(Origin.RELEASES, "/releases/hello-0.1.0.tgz"));
    }
}
