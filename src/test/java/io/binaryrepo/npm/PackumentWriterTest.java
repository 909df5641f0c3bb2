package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackumentWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLIC = "https://cache.example.com/repo/npm";
    static final String PACKUMENT = """
            {"_id":"@s/demo","_rev":"3-abc","name":"@s/demo","description":"a demo",
             "dist-tags":{"latest":"1.1.0"},
             "versions":{
               "1.0.0":{"name":"@s/demo","version":"1.0.0","description":"first","readme":"# long readme",
                 "scripts":{"test":"jest","postinstall":"node build.js"},
                 "dependencies":{"a":"^1.0.0"},"_npmUser":{"name":"bob"},
                 "dist":{"tarball":"https://registry.example.com/@s/demo/-/demo-1.0.0.tgz",
                         "integrity":"sha512-AAAA","shasum":"0123456789012345678901234567890123456789","fileCount":3}},
               "1.1.0":{"name":"@s/demo","version":"1.1.0","engines":{"node":">=18"},"gypfile":false,
                 "deprecated":"use 2.x","hasInstallScript":false,"scripts":{"install":"x"},
                 "dist":{"tarball":"http://registry.example.com/@s/demo/-/demo-1.1.0.tgz","shasum":"ab"}},
               "0.9.0":{"name":"@s/demo","version":"0.9.0",
                 "dist":{"tarball":"https://elsewhere.example.org/demo-0.9.0.tgz"}}},
             "time":{"created":"2020-01-01T00:00:00.000Z","modified":"2024-05-06T07:08:09.000Z","1.0.0":"2020-01-01"},
             "maintainers":[{"name":"bob"}],"readme":"# top readme","users":{"x":true}}
            """;

    private final PackumentWriter writer = new PackumentWriter(
            new TarballUrls(URI.create("https://registry.example.com")), 1024 * 1024);

    private JsonNode write(String doc, Variant v) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)), v, PUBLIC, out);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void write_full_keepsEverythingAndRewritesUpstreamTarballs() throws IOException {
        JsonNode full = write(PACKUMENT, Variant.FULL);
        JsonNode original = JSON.readTree(PACKUMENT);
        assertEquals(PUBLIC + "/@s/demo/-/demo-1.0.0.tgz", full.at("/versions/1.0.0/dist/tarball").asText());
        assertEquals(PUBLIC + "/@s/demo/-/demo-1.1.0.tgz", full.at("/versions/1.1.0/dist/tarball").asText(),
                "an old http:// URL of the upstream host is rewritten too");
        assertEquals("https://elsewhere.example.org/demo-0.9.0.tgz", full.at("/versions/0.9.0/dist/tarball").asText(),
                "a foreign host is never mapped onto the upstream");
        ((com.fasterxml.jackson.databind.node.ObjectNode) original.at("/versions/1.0.0/dist"))
                .put("tarball", PUBLIC + "/@s/demo/-/demo-1.0.0.tgz");
        ((com.fasterxml.jackson.databind.node.ObjectNode) original.at("/versions/1.1.0/dist"))
                .put("tarball", PUBLIC + "/@s/demo/-/demo-1.1.0.tgz");
        assertEquals(original, full, "nothing else changed");
    }

    @Test
    void write_abbreviated_keepsOnlyInstallFields() throws IOException {
        JsonNode corgi = write(PACKUMENT, Variant.ABBREVIATED);
        assertEquals(List.of("name", "dist-tags", "versions", "modified"), names(corgi));
        assertEquals("2024-05-06T07:08:09.000Z", corgi.get("modified").asText());
        JsonNode v1 = corgi.at("/versions/1.0.0");
        assertEquals(List.of("name", "version", "dependencies", "dist", "hasInstallScript"), names(v1));
        assertTrue(v1.get("hasInstallScript").asBoolean(), "derived from scripts.postinstall");
        assertEquals(3, v1.at("/dist/fileCount").asInt(), "dist is kept whole");
        assertEquals(PUBLIC + "/@s/demo/-/demo-1.0.0.tgz", v1.at("/dist/tarball").asText());
        JsonNode v11 = corgi.at("/versions/1.1.0");
        assertFalse(v11.get("hasInstallScript").asBoolean(), "upstream's own value wins");
        assertEquals("use 2.x", v11.get("deprecated").asText());
        assertEquals(">=18", v11.at("/engines/node").asText());
    }

    @Test
    void write_isDeterministic() throws IOException {
        for (Variant v : Variant.values()) {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            writer.write(new ByteArrayInputStream(PACKUMENT.getBytes(StandardCharsets.UTF_8)), v, PUBLIC, a);
            writer.write(new ByteArrayInputStream(PACKUMENT.getBytes(StandardCharsets.UTF_8)), v, PUBLIC, b);
            assertEquals(a.toString(StandardCharsets.UTF_8), b.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void write_stats_countRewrittenAndForeign() throws IOException {
        PackumentWriter.Stats s = writer.write(new ByteArrayInputStream(PACKUMENT.getBytes(StandardCharsets.UTF_8)),
                Variant.FULL, PUBLIC, new ByteArrayOutputStream());
        assertEquals(new PackumentWriter.Stats(3, 2, 1), s);
    }

    @Test
    void writeVersion_givesOneManifestRewritten() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(writer.writeVersion(new ByteArrayInputStream(PACKUMENT.getBytes(StandardCharsets.UTF_8)), "1.0.0",
                PUBLIC, out));
        JsonNode m = JSON.readTree(out.toByteArray());
        assertEquals("1.0.0", m.get("version").asText());
        assertEquals("# long readme", m.get("readme").asText());
        assertEquals(PUBLIC + "/@s/demo/-/demo-1.0.0.tgz", m.at("/dist/tarball").asText());
        assertFalse(writer.writeVersion(new ByteArrayInputStream(PACKUMENT.getBytes(StandardCharsets.UTF_8)), "9.9.9",
                PUBLIC, new ByteArrayOutputStream()));
    }

    @Test
    void write_notAnObjectOrTruncated_fails() {
        assertThrows(JsonProcessingException.class, () -> write("[1,2]", Variant.FULL));
        assertThrows(JsonProcessingException.class, () -> write(PACKUMENT.substring(0, 300), Variant.FULL));
        assertThrows(JsonProcessingException.class, () -> write("{} {}", Variant.ABBREVIATED));
    }

    @Test
    void write_tokenLongerThanTheLimit_fails() {
        PackumentWriter small = new PackumentWriter(new TarballUrls(URI.create("https://registry.example.com")), 1000);
        String doc = "{\"name\":\"x\",\"readme\":\"" + "r".repeat(5000) + "\"}";
        assertThrows(IOException.class, () -> small.write(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)),
                Variant.FULL, PUBLIC, new ByteArrayOutputStream()));
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
