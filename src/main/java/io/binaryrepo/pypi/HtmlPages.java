package io.binaryrepo.pypi;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * PEP 503 HTML pages: rewritten while they stream in from upstream into their stored form, and searched for
 * one file's entry. Memory is bounded by one anchor ({@link AnchorScanner}). Stateless.
 */
final class HtmlPages {
    private HtmlPages() {
    }

    /** Counts of a rewrite. */
    static final class Stats {
        int proxied;
        int dropped;
    }

    /**
     * Rewrites a project page: every file link on one of {@code hosts} becomes a {@link FileLink} relative to
     * the proxied page, its fragment ({@code #sha256=...}) and every other attribute ({@code data-requires-python},
     * {@code data-yanked}, {@code data-core-metadata}, {@code data-dist-info-metadata}) kept as they were; a link
     * to any other host, or with a query, is dropped (binaryrepo fetches only from the upstream's own hosts, and
     * a link past the cache would bypass it). Closes neither stream.
     *
     * @param page the upstream URL of the page, for relative links
     */
    static Stats rewriteProject(InputStream in, OutputStream out, String project, UpstreamHosts hosts, URI page)
            throws IOException {
        Stats stats = new Stats();
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        AnchorScanner.scan(reader(in), w, a -> {
            String href = a.value("href");
            if (href == null) {
                stats.dropped++;
                return "";
            }
            int hash = href.indexOf('#');
            String target = hash < 0 ? href : href.substring(0, hash);
            Optional<FileLink> link = FileLink.of(project, hosts, page, target);
            if (link.isEmpty()) {
                stats.dropped++;
                return "";
            }
            stats.proxied++;
            return a.withHref(link.get().relative() + (hash < 0 ? "" : href.substring(hash)));
        });
        w.flush();
        return stats;
    }

    /**
     * Rewrites the project list: each anchor's link becomes {@code <normalised name>/}, relative to the proxied
     * list, the name taken from the anchor's text (PEP 503: the text is the project's name); anchors whose text
     * is not a project name are dropped. Closes neither stream.
     */
    static Stats rewriteRoot(InputStream in, OutputStream out) throws IOException {
        Stats stats = new Stats();
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        AnchorScanner.scan(reader(in), w, a -> {
            String name = Html.unescape(a.text()).trim();
            if (!ProjectName.isValid(name)) {
                stats.dropped++;
                return "";
            }
            stats.proxied++;
            return a.withHref(ProjectName.normalize(name) + "/");
        });
        w.flush();
        return stats;
    }

    /** The entry of the file linked as {@code link} in a stored (rewritten) project page. */
    static Optional<FileEntry> find(byte[] stored, FileLink link) throws IOException {
        String wanted = link.relative();
        FileEntry[] found = new FileEntry[1];
        AnchorScanner.scan(reader(new java.io.ByteArrayInputStream(stored)), null, a -> {
            String href = a.value("href");
            if (found[0] != null || href == null) {
                return "";
            }
            int hash = href.indexOf('#');
            String target = hash < 0 ? href : href.substring(0, hash);
            if (!target.equals(wanted)) {
                return "";
            }
            FileEntry.Hash h = hash < 0 ? null : FileEntry.Hash.parse(href.substring(hash + 1)).orElse(null);
            String meta = a.has("data-core-metadata") ? a.value("data-core-metadata") : a.value("data-dist-info-metadata");
            boolean advertised = (a.has("data-core-metadata") || a.has("data-dist-info-metadata"))
                    && !"false".equalsIgnoreCase(meta);
            found[0] = new FileEntry(h, -1, advertised, advertised ? FileEntry.Hash.parse(meta).orElse(null) : null);
            return "";
        });
        return Optional.ofNullable(found[0]);
    }

    private static Reader reader(InputStream in) {
        return new java.io.BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 16 * 1024);
    }
}
