package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.binaryrepo.testing.AdminApi;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The admin API (issue 10) on a Go repository: GOPROXY names in listings, purge and prefetch of module@version. */
class GoAdminTest extends ComponentTest {
    private static final String MOD = "/github.com/!burnt!sushi/toml/@v/";
    private final TestUsers users = new TestUsers();
    private final TestUsers.User admin = users.add("ops", "binaryrepo-admin");
    private FakeGoProxy up;
    private ProxyServer proxy;
    private AdminApi api;

    private void start() throws Exception {
        up = closeAfter(FakeGoProxy.start());
        for (String v : List.of("v1.3.0", "v1.4.0")) {
            up.put(MOD + v + ".info", "{\"Version\":\"" + v + "\",\"Time\":\"2024-01-01T00:00:00Z\"}");
            up.put(MOD + v + ".mod", "module github.com/BurntSushi/toml\n");
            up.put(MOD + v + ".zip", new byte[] {1, 2, 3, (byte) v.charAt(3)});
        }
        up.put(MOD + "list", "v1.3.0\nv1.4.0\n");
        String yaml = "repositories:\n  - name: go\n    type: go\n    url: " + up.url() + "\n    metadataTtl: 5m\n";
        proxy = closeAfter(ProxyServer.start(tmp.resolve("cache"), yaml, clock, Map.of(), users));
        api = new AdminApi(proxy.url(), admin.basic());
    }

    private Set<String> listed() throws Exception {
        AdminApi.Answer a = api.get("/api/v1/repositories/go/content?prefix=" + AdminApi.q("github.com/BurntSushi/"));
        assertEquals(200, a.status(), a.body());
        Set<String> paths = new HashSet<>();
        a.json().path("items").forEach(i -> paths.add(i.path("path").asText()));
        return paths;
    }

    @Test
    void prefetchModuleVersion_cachesInfoModZip_listedAsGoproxyPaths() throws Exception {
        start();
        JsonNode job = api.prefetch("go", "{\"references\": [\"github.com/BurntSushi/toml@v1.4.0\"]}");
        assertEquals("done", job.path("state").asText(), job.toString());
        assertEquals(3, job.path("done").asInt());
        String p = "github.com/!burnt!sushi/toml/@v/v1.4.0";
        assertEquals(Set.of(p + ".info", p + ".mod", p + ".zip"), listed());
        up.stop();
        assertEquals(200, get(proxy, "/repo/go" + MOD + "v1.4.0.zip").statusCode());
    }

    @Test
    void purgeModuleVersion_removesThatVersionOnly_nextRequestRefetches() throws Exception {
        start();
        api.prefetch("go", "{\"references\": [\"github.com/BurntSushi/toml@v1.3.0\", \"github.com/BurntSushi/toml@v1.4.0\"]}");
        assertEquals(200, get(proxy, "/repo/go" + MOD + "list").statusCode());
        AdminApi.Answer a = api.delete("/api/v1/repositories/go/content?path="
                + AdminApi.q("github.com/BurntSushi/toml@v1.3.0"));
        assertEquals(200, a.status(), a.body());
        assertEquals(4, a.json().path("removed").asLong(), "info, mod, zip and the version list: " + a.body());
        assertEquals(Set.of("v1.4.0.info", "v1.4.0.mod", "v1.4.0.zip"), versions(listed()));
        assertEquals(200, get(proxy, "/repo/go" + MOD + "v1.3.0.zip").statusCode());
        assertEquals(2, up.count(MOD + "v1.3.0.zip"));
        assertEquals(200, get(proxy, "/repo/go" + MOD + "list").statusCode());
        assertEquals(null, up.requests().stream().filter(s -> s.path().equals(MOD + "list")).reduce((x, y) -> y)
                .orElseThrow().ifNoneMatch(), "the list is fetched again unconditionally");
    }

    private static Set<String> versions(Set<String> paths) {
        Set<String> out = new HashSet<>();
        paths.forEach(p -> out.add(p.substring(p.lastIndexOf('/') + 1)));
        return out;
    }

    @Test
    void purgeModule_removesEveryVersion() throws Exception {
        start();
        api.prefetch("go", "{\"references\": [\"github.com/BurntSushi/toml@v1.3.0\", \"github.com/BurntSushi/toml@v1.4.0\"]}");
        AdminApi.Answer a = api.delete("/api/v1/repositories/go/content?path=" + AdminApi.q("github.com/BurntSushi/toml"));
        assertEquals(200, a.status(), a.body());
        assertEquals(6, a.json().path("removed").asLong(), a.body());
        assertEquals(Set.of(), listed());
    }

    @Test
    void badModuleReferences_400() throws Exception {
        start();
        for (String bad : List.of("", "not a module", "github.com/x/y@v1", "github.com/x/y@latest", "github.com/x/%2e%2e",
                "github.com/x/y!z@v1.0.0")) {
            AdminApi.Answer a = api.delete("/api/v1/repositories/go/content?path=" + AdminApi.q(bad));
            assertEquals(400, a.status(), bad + " " + a.body());
        }
        assertEquals(400, api.post("/api/v1/repositories/go/prefetch", "{\"references\": [\"github.com/x/y\"]}").status());
    }
}
