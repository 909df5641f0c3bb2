package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonPagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UpstreamHosts HOSTS = new UpstreamHosts(URI.create("https://index.example/simple"),
            List.of("https://files.example"));
    private static final URI PAGE = URI.create("https://index.example/simple/demo/");
    private static final String H = "c".repeat(64);

    private static byte[] rewrite(String json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonPages.rewriteProject(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), out, "demo", HOSTS,
                PAGE);
        return out.toByteArray();
    }

    private static final String PAGE_JSON = "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"demo\",\"files\":["
            + "{\"filename\":\"demo-1.0.whl\",\"url\":\"https://files.example/p/demo-1.0.whl\",\"hashes\":{\"md5\":\""
            + "d".repeat(32) + "\",\"sha256\":\"" + H + "\"},\"requires-python\":\">=3.8\",\"size\":12,"
            + "\"upload-time\":\"2026-01-01T00:00:00Z\",\"yanked\":true,\"core-metadata\":{\"sha256\":\"" + H
            + "\"},\"dist-info-metadata\":{\"sha256\":\"" + H + "\"},\"future-key\":[1,2]},"
            + "{\"filename\":\"evil-1.0.whl\",\"url\":\"https://evil.example/evil-1.0.whl\",\"hashes\":{}},"
            + "{\"filename\":\"demo-1.1.tar.gz\",\"url\":\"demo-1.1.tar.gz\",\"hashes\":{}}],"
            + "\"versions\":[\"1.0\",\"1.1\"]}";

    @Test
    void rewriteProject_rewritesUrls_keepsEveryOtherKey_dropsForeignFiles() throws IOException {
        JsonNode out = JSON.readTree(rewrite(PAGE_JSON));
        JsonNode in = JSON.readTree(PAGE_JSON);
        assertEquals(2, out.path("files").size());
        JsonNode f = out.path("files").path(0);
        assertEquals("../../files/demo/1/p/demo-1.0.whl", f.path("url").asText());
        ((com.fasterxml.jackson.databind.node.ObjectNode) f).put("url", in.path("files").path(0).path("url").asText());
        assertEquals(in.path("files").path(0), f, "every other key as upstream sent it (PEP 700 included)");
        assertEquals("../../files/demo/0/simple/demo/demo-1.1.tar.gz", out.path("files").path(1).path("url").asText());
        assertEquals(in.path("versions"), out.path("versions"));
        assertEquals(in.path("meta"), out.path("meta"));
    }

    @Test
    void rewriteProject_notAJsonObject_isRefused() {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> rewrite("[1,2]"));
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> rewrite("{\"files\":[{\"url\":"));
    }

    @Test
    void find_prefersSha256_andReadsSizeAndMetadata() throws IOException {
        byte[] stored = rewrite(PAGE_JSON);
        FileEntry e = JsonPages.find(stored, new FileLink("demo", 1, "p/demo-1.0.whl")).orElseThrow();
        assertEquals(new FileEntry.Hash("SHA-256", H), e.hash());
        assertEquals(12, e.size());
        assertEquals(12, e.fileCheck().expectedSize());
        assertTrue(e.metadata());
        assertEquals(H, e.metadataCheck().expectedHex());
        FileEntry noHash = JsonPages.find(stored, new FileLink("demo", 0, "simple/demo/demo-1.1.tar.gz")).orElseThrow();
        assertEquals(null, noHash.fileCheck().expectedHex(), "no hash: the size alone is checked");
    }

    @Test
    void htmlFromJson_project_writesPep503AnchorsWithAllAttributes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HtmlFromJson.project(rewrite(PAGE_JSON), "demo", out);
        String html = out.toString(StandardCharsets.UTF_8);
        assertTrue(html.contains("<meta name=\"pypi:repository-version\" content=\"1.0\">"), html);
        assertTrue(html.contains("<a href=\"../../files/demo/1/p/demo-1.0.whl#sha256=" + H
                + "\" data-requires-python=\"&gt;=3.8\" data-yanked=\"\" data-core-metadata=\"sha256=" + H
                + "\" data-dist-info-metadata=\"sha256=" + H + "\">demo-1.0.whl</a>"), html);
        assertTrue(html.contains("<a href=\"../../files/demo/0/simple/demo/demo-1.1.tar.gz\">demo-1.1.tar.gz</a>"),
                html);
    }

    @Test
    void htmlFromJson_root_linksNormalisedNames() throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        JsonPages.copyRoot(new ByteArrayInputStream(("{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[{\"name\":"
                + "\"Demo.Pkg\"},{\"name\":\"<bad>\"}]}").getBytes(StandardCharsets.UTF_8)), copy);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HtmlFromJson.root(copy.toByteArray(), out);
        String html = out.toString(StandardCharsets.UTF_8);
        assertTrue(html.contains("<a href=\"demo-pkg/\">Demo.Pkg</a>"), html);
        assertTrue(!html.contains("bad"), html);
    }
}
