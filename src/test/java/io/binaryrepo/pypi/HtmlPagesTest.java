package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HtmlPagesTest {
    private static final UpstreamHosts HOSTS = new UpstreamHosts(URI.create("https://index.example/simple"),
            List.of("https://files.example"));
    private static final URI PAGE = URI.create("https://index.example/simple/demo/");
    private static final String H1 = "a".repeat(64);
    private static final String H2 = "b".repeat(64);

    private static String rewrite(String html) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HtmlPages.rewriteProject(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)), out, "demo", HOSTS, PAGE);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rewriteProject_keepsEverythingButTheHref() throws IOException {
        String page = "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"></head>"
                + "<body><h1>Links</h1>\n<A HREF=\"https://files.example/p/demo-1.0.whl#sha256=" + H1
                + "\" data-requires-python=\"&gt;=3.8\" data-yanked=\"\" data-dist-info-metadata=\"sha256=" + H2
                + "\" data-core-metadata=\"sha256=" + H2 + "\">demo-1.0.whl</A><br/>\n"
                + "<a href=\"../../f/demo-1.1.tar.gz\" data-yanked>demo-1.1.tar.gz</a>\n<abbr>x</abbr></body></html>";
        String out = rewrite(page);
        assertEquals("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"></head>"
                + "<body><h1>Links</h1>\n<a href=\"../../files/demo/1/p/demo-1.0.whl#sha256=" + H1
                + "\" data-requires-python=\"&gt;=3.8\" data-yanked=\"\" data-dist-info-metadata=\"sha256=" + H2
                + "\" data-core-metadata=\"sha256=" + H2 + "\">demo-1.0.whl</a><br/>\n"
                + "<a href=\"../../files/demo/0/f/demo-1.1.tar.gz\" data-yanked>demo-1.1.tar.gz</a>\n<abbr>x</abbr>"
                + "</body></html>", out);
    }

    @Test
    void rewriteProject_decodesEntitiesInHrefs_dropsForeignLinks() throws IOException {
        String out = rewrite("<a href='demo-1.0.tar.gz#sha256=" + H1 + "&amp;x'>a</a>"
                + "<a href=https://evil.example/demo-1.0.tar.gz>b</a><a name=x>c</a>");
        assertEquals("<a href=\"../../files/demo/0/simple/demo/demo-1.0.tar.gz#sha256=" + H1 + "&amp;x\">a</a>", out);
    }

    @Test
    void rewriteProject_anchorBeyondTheLimit_isRefused() {
        String huge = "<a href=\"x\" data-x=\"" + "y".repeat(AnchorScanner.MAX_TAG + 1) + "\">z</a>";
        assertThrows(AnchorScanner.InvalidPageException.class, () -> rewrite(huge));
    }

    @Test
    void find_readsHashAndMetadataOfTheStoredLink() throws IOException {
        String stored = rewrite("<a href=\"demo-1.0.whl#sha256=" + H1 + "\" data-core-metadata=\"sha256=" + H2
                + "\">x</a><a href=\"demo-2.0.whl\" data-dist-info-metadata=\"true\">y</a><a href=\"demo-3.0.whl\">z</a>");
        byte[] b = stored.getBytes(StandardCharsets.UTF_8);
        FileEntry one = HtmlPages.find(b, new FileLink("demo", 0, "simple/demo/demo-1.0.whl")).orElseThrow();
        assertEquals(new FileEntry.Hash("SHA-256", H1), one.hash());
        assertTrue(one.metadata());
        assertEquals(new FileEntry.Hash("SHA-256", H2), one.metadataHash());
        FileEntry two = HtmlPages.find(b, new FileLink("demo", 0, "simple/demo/demo-2.0.whl")).orElseThrow();
        assertEquals(null, two.hash(), "no fragment: no hash");
        assertTrue(two.metadata());
        assertEquals(null, two.metadataHash());
        assertFalse(HtmlPages.find(b, new FileLink("demo", 0, "simple/demo/demo-3.0.whl")).orElseThrow().metadata());
        assertEquals(Optional.empty(), HtmlPages.find(b, new FileLink("demo", 0, "simple/demo/demo-4.0.whl")));
    }
}
