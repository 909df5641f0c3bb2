package io.binaryrepo.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * PEP 503 HTML derived from a stored PEP 691 JSON page, for clients that ask for HTML when upstream gave JSON
 * (the reverse is never done: JSON keys such as PEP 700's have no HTML form). Each file becomes an anchor with
 * the hash as {@code #<alg>=<hex>} fragment, {@code data-requires-python}, {@code data-yanked}, and the
 * metadata as both {@code data-core-metadata} (PEP 714) and {@code data-dist-info-metadata} (PEP 658, for pip
 * before 23.3). Streams entry by entry. Stateless.
 */
final class HtmlFromJson {
    private HtmlFromJson() {
    }

    /** Writes the HTML of a stored project page. Does not close {@code out}. */
    static void project(byte[] stored, String project, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        String title = "Links for " + Html.escape(project);
        w.write("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n"
                + "    <title>" + title + "</title>\n  </head>\n  <body>\n    <h1>" + title + "</h1>\n");
        JsonPages.eachFile(stored, e -> w.write("    " + anchor(e) + "<br />\n"));
        w.write("  </body>\n</html>\n");
        w.flush();
    }

    /** Writes the HTML of a stored project list. Does not close {@code out}. */
    static void root(byte[] stored, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        w.write("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n"
                + "    <title>Simple index</title>\n  </head>\n  <body>\n");
        JsonPages.eachProject(stored, name -> {
            if (ProjectName.isValid(name)) {
                w.write("    <a href=\"" + ProjectName.normalize(name) + "/\">" + Html.escape(name) + "</a>\n");
            }
        });
        w.write("  </body>\n</html>\n");
        w.flush();
    }

    static String anchor(JsonNode e) {
        FileEntry entry = JsonPages.entry(e);
        String url = e.path("url").asText("");
        if (entry.hash() != null && url.indexOf('#') < 0) {
            url += "#" + entry.hash().indexName() + "=" + entry.hash().hex();
        }
        StringBuilder a = new StringBuilder("<a href=\"").append(Html.escape(url)).append('"');
        JsonNode rp = e.path("requires-python");
        if (rp.isTextual() && !rp.asText().isEmpty()) {
            a.append(" data-requires-python=\"").append(Html.escape(rp.asText())).append('"');
        }
        JsonNode yanked = e.path("yanked");
        if (yanked.isTextual()) {
            a.append(" data-yanked=\"").append(Html.escape(yanked.asText())).append('"');
        } else if (yanked.asBoolean(false)) {
            a.append(" data-yanked=\"\"");
        }
        if (entry.metadata()) {
            String v = entry.metadataHash() == null ? "true"
                    : entry.metadataHash().indexName() + "=" + entry.metadataHash().hex();
            a.append(" data-core-metadata=\"").append(v).append("\" data-dist-info-metadata=\"").append(v).append('"');
        }
        String filename = e.path("filename").asText("");
        return a.append('>').append(Html.escape(filename)).append("</a>").toString();
    }
}
