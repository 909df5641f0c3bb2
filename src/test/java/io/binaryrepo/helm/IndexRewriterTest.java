package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The streaming rewrite of chart URLs in an index, and the stored form it produces. */
class IndexRewriterTest {
    private static final URI UPSTREAM = URI.create("https://charts.example.com/stable");
    private static final String REPO_URL = "http://cache:8081/repo/helm";
    private static final String DIGEST = "a".repeat(64);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static StoredIndex store(String yaml) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new IndexRewriter(UPSTREAM).rewrite(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), out);
        return StoredIndex.of(out.toByteArray());
    }

    private static String served(StoredIndex index) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] repo = REPO_URL.getBytes(StandardCharsets.US_ASCII);
        index.writeTo(out, repo);
        assertEquals(index.servedLength(repo), out.size(), "announced length matches the bytes written");
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String entry(String name, String version, String digestLine, String urlsBlock) {
        return "  " + name + ":\n  - apiVersion: v2\n    appVersion: 1.10\n    created: \"2024-01-02T03:04:05Z\"\n"
                + digestLine + "    name: " + name + "\n    urls:\n" + urlsBlock + "    version: " + version + "\n";
    }

    @Test
    void hugeScalar_inAChunkedIndex_isRefusedBeforeItFillsTheHeap() {
        String yaml = "apiVersion: v1\nentries:\n  a:\n  - name: a\n    description: \""
                + "x".repeat(9 * 1024 * 1024) + "\"\n    urls:\n    - a-1.0.0.tgz\n";
        IndexRewriter.InvalidIndexException e = org.junit.jupiter.api.Assertions.assertThrows(
                IndexRewriter.InvalidIndexException.class, () -> new IndexRewriter(UPSTREAM).rewrite(
                        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), new java.io.ByteArrayOutputStream()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void absoluteUrl_onAnotherHost_isRewrittenUnderTheRepository_andMapsBackToTheOriginal() throws Exception {
        String yaml = "apiVersion: v1\nentries:\n"
                + entry("nginx", "1.2.3", "    digest: " + DIGEST + "\n",
                        "    - https://github.com/org/charts/releases/download/nginx-1.2.3/nginx-1.2.3.tgz\n")
                + "generated: \"2024-01-02T03:04:05Z\"\n";
        StoredIndex index = store(yaml);
        String out = served(index);

        JsonNode doc = YAML.readTree(out);
        String url = doc.path("entries").path("nginx").path(0).path("urls").path(0).asText();
        assertTrue(url.startsWith(REPO_URL + "/_charts/"), url);
        assertTrue(url.endsWith("/nginx-1.2.3.tgz"), "keeps the file name: " + url);
        String token = url.substring((REPO_URL + "/_charts/").length(), url.lastIndexOf('/'));
        ChartRef ref = index.proxied(token).orElseThrow();
        assertEquals("https://github.com/org/charts/releases/download/nginx-1.2.3/nginx-1.2.3.tgz", ref.url());
        assertEquals(DIGEST, ref.sha256());
        assertEquals(token, ref.token());
        // Everything but the URL is byte-identical, numbers such as appVersion 1.10 included.
        assertEquals(yaml.replace("https://github.com/org/charts/releases/download/nginx-1.2.3/nginx-1.2.3.tgz",
                "\"" + url + "\""), out);
        assertEquals(1, index.proxiedCount());
    }

    @Test
    void relativeUrl_staysUnchanged_andIsKnownUnderItsPath() throws Exception {
        String yaml = "apiVersion: v1\nentries:\n"
                + entry("app", "0.1.0", "    digest: " + DIGEST + "\n", "    - charts/app-0.1.0.tgz\n");
        StoredIndex index = store(yaml);
        assertEquals(yaml, served(index), "served byte for byte as upstream wrote it");
        ChartRef ref = index.relative("charts/app-0.1.0.tgz").orElseThrow();
        assertEquals("https://charts.example.com/stable/charts/app-0.1.0.tgz", ref.url());
        assertEquals(DIGEST, ref.sha256());
        assertEquals(0, index.proxiedCount());
        assertEquals(1, index.relativeCount());
    }

    @Test
    void relativeUrl_leavingTheRepository_isRewrittenToTheResolvedUpstreamUrl() throws Exception {
        String yaml = "entries:\n" + entry("a", "1", "", "    - ../other/a-1.tgz\n    - /root/a-1.tgz\n    - //cdn.example.net/a-1.tgz\n");
        StoredIndex index = store(yaml);
        JsonNode urls = YAML.readTree(served(index)).path("entries").path("a").path(0).path("urls");
        assertEquals(3, urls.size());
        String[] expected = {"https://charts.example.com/other/a-1.tgz", "https://charts.example.com/root/a-1.tgz",
                "https://cdn.example.net/a-1.tgz"};
        for (int i = 0; i < 3; i++) {
            String url = urls.path(i).asText();
            assertTrue(url.startsWith(REPO_URL + "/_charts/"), url);
            String token = url.substring((REPO_URL + "/_charts/").length(), url.lastIndexOf('/'));
            assertEquals(expected[i], index.proxied(token).orElseThrow().url());
            assertNull(index.proxied(token).orElseThrow().sha256(), "no digest in the entry");
        }
    }

    @Test
    void otherSchemes_areLeftAlone_andNeverBecomeFetchable() throws Exception {
        String yaml = "entries:\n" + entry("a", "1", "", "    - file:///etc/passwd\n    - ftp://x/a.tgz\n");
        StoredIndex index = store(yaml);
        assertEquals(yaml, served(index));
        assertEquals(0, index.proxiedCount());
        assertEquals(0, index.relativeCount());
    }

    @Test
    void urlsOutsideEntries_areNotTouched() throws Exception {
        String yaml = "apiVersion: v1\nurls:\n- https://elsewhere.example/x.tgz\nentries:\n  a:\n  - name: a\n"
                + "    home: https://home.example/\n    sources:\n    - https://src.example/a\n"
                + "    dependencies:\n    - name: b\n      repository: https://deps.example/charts\n"
                + "      urls:\n      - https://nested.example/b.tgz\n    urls:\n    - https://dl.example/a-1.tgz\n"
                + "    version: \"1\"\n";
        String out = served(store(yaml));
        for (String kept : new String[] {"- https://elsewhere.example/x.tgz", "home: https://home.example/",
                "- https://src.example/a", "repository: https://deps.example/charts", "- https://nested.example/b.tgz"}) {
            assertTrue(out.contains(kept), "kept: " + kept + " in\n" + out);
        }
        assertFalse(out.contains("https://dl.example/a-1.tgz"), out);
    }

    @Test
    void digestAfterUrls_isStillUsed() throws Exception {
        String yaml = "entries:\n  a:\n  - urls:\n    - https://dl.example/a-1.tgz\n    digest: sha256:" + DIGEST
                + "\n    name: a\n";
        StoredIndex index = store(yaml);
        String url = YAML.readTree(served(index)).path("entries").path("a").path(0).path("urls").path(0).asText();
        String token = url.substring((REPO_URL + "/_charts/").length(), url.lastIndexOf('/'));
        assertEquals(DIGEST, index.proxied(token).orElseThrow().sha256());
    }

    @Test
    void quotedFlowAndJsonStyles_areRewrittenInPlace() throws Exception {
        String json = "{\"apiVersion\":\"v1\",\"entries\":{\"a\":[{\"name\":\"a\",\"digest\":\"" + DIGEST
                + "\",\"urls\":[\"https://dl.example/a-1.tgz\", 'https://dl.example/a-1b.tgz'],\"version\":\"1\"}]}}";
        String out = served(store(json));
        JsonNode urls = YAML.readTree(out).path("entries").path("a").path(0).path("urls");
        assertTrue(urls.path(0).asText().startsWith(REPO_URL + "/_charts/"), out);
        assertTrue(urls.path(1).asText().endsWith("/a-1b.tgz"), out);
        assertTrue(out.startsWith("{\"apiVersion\":\"v1\""), "the rest stays as it was: " + out);
    }

    @Test
    void blockScalarUrl_keepsTheLineStructure() throws Exception {
        String yaml = "entries:\n  a:\n  - urls:\n    - |-\n      https://dl.example/a-1.tgz\n    version: 1.0.0\n";
        JsonNode e = YAML.readTree(served(store(yaml))).path("entries").path("a").path(0);
        assertTrue(e.path("urls").path(0).asText().startsWith(REPO_URL + "/_charts/"));
        assertEquals("1.0.0", e.path("version").asText());
    }

    @Test
    void anchoredUrl_keepsItsAnchorForAliases() throws Exception {
        String yaml = "entries:\n  a:\n  - urls:\n    - &u https://dl.example/a-1.tgz\n    home: *u\n";
        String out = served(store(yaml));
        String url = YAML.readTree(out).path("entries").path("a").path(0).path("urls").path(0).asText();
        assertTrue(url.startsWith(REPO_URL + "/_charts/"), out);
        assertTrue(out.contains("    - &u \"" + url + "\"\n    home: *u\n"), out);
    }

    @Test
    void urlEncoding_spacesAndNonAscii_areEncodedAsHelmWouldSendThem() throws Exception {
        String yaml = "entries:\n  a:\n  - urls:\n    - https://dl.example/r\u00e9leases/my chart-1.0.tgz\n"
                + "    - https://dl.example/x/a%2Fb-1.0.tgz?sig=a%20b\n    - charts/sp ace-1.tgz\n    - charts/%C3%A9-1.tgz\n";
        StoredIndex index = store(yaml);
        JsonNode urls = YAML.readTree(served(index)).path("entries").path("a").path(0).path("urls");
        String first = urls.path(0).asText();
        assertTrue(first.endsWith("/my%20chart-1.0.tgz"), first);
        String token = first.substring((REPO_URL + "/_charts/").length(), first.lastIndexOf('/'));
        assertEquals("https://dl.example/r%C3%A9leases/my%20chart-1.0.tgz", index.proxied(token).orElseThrow().url());
        String second = urls.path(1).asText();
        assertTrue(second.endsWith("/a_b-1.0.tgz"), "an encoded slash never reaches the path: " + second);
        String token2 = second.substring((REPO_URL + "/_charts/").length(), second.lastIndexOf('/'));
        assertEquals("https://dl.example/x/a%2Fb-1.0.tgz?sig=a%20b", index.proxied(token2).orElseThrow().url());
        assertEquals("charts/sp ace-1.tgz", urls.path(2).asText(), "relative URLs stay as written");
        assertEquals("https://charts.example.com/stable/charts/sp%20ace-1.tgz",
                index.relative("charts/sp%20ace-1.tgz").orElseThrow().url());
        assertEquals(Optional.empty(), index.relative("charts/%C3%A9-1.tgz").map(r -> "unexpected").filter(x -> false));
        assertTrue(index.relative("charts/%C3%A9-1.tgz").isPresent());
    }

    @Test
    void nonAsciiTextAndEmoji_elsewhere_doNotShiftTheSplice() throws Exception {
        String yaml = "entries:\n  a:\n  - description: \"caf\u00e9 \ud83d\ude80\ud83d\ude80 \u4e2d\u6587\"\n    urls:\n"
                + "    - https://dl.example/a-1.tgz\n    name: \ud83d\ude80\n";
        String out = served(store(yaml));
        JsonNode e = YAML.readTree(out).path("entries").path("a").path(0);
        assertEquals("caf\u00e9 \ud83d\ude80\ud83d\ude80 \u4e2d\u6587", e.path("description").asText());
        assertEquals("\ud83d\ude80", e.path("name").asText());
        assertTrue(e.path("urls").path(0).asText().startsWith(REPO_URL + "/_charts/"), out);
    }

    @Test
    void sameUrlWithAnotherDigest_getsAnotherToken() {
        ChartRef a = new ChartRef("https://dl.example/a-1.tgz", DIGEST);
        ChartRef b = new ChartRef("https://dl.example/a-1.tgz", "b".repeat(64));
        assertFalse(a.token().equals(b.token()));
        assertTrue(ChartRef.TOKEN.matcher(a.token()).matches());
    }

    @Test
    void invalidYaml_andInvalidUtf8_areRefused() {
        assertThrows(IndexRewriter.InvalidIndexException.class, () -> store("entries: [unclosed\n  - x: {"));
        byte[] latin1 = "entries:\n  a:\n  - name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThrows(IndexRewriter.InvalidIndexException.class, () -> new IndexRewriter(UPSTREAM)
                .rewrite(new ByteArrayInputStream(latin1), OutputStream.nullOutputStream()));
    }

    @Test
    void controlCharacters_inUpstreamText_cannotForgeARecord() {
        // YAML forbids C0 controls, so the bytes that delimit records cannot come from upstream.
        String forged = "entries:\n  a:\n  - urls:\n    - x\u0001tok/f\u0002http://evil/\u0002\u0003\n";
        assertThrows(IndexRewriter.InvalidIndexException.class, () -> store(forged));
    }
}
