package io.binaryrepo.pypi;

import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Distribution files and their core metadata files ({@code <file>.metadata}, PEP 658/714) as immutable
 * content. What is PyPI's own:
 * <ul>
 *   <li>only a file the current page of its project lists can be fetched (looked up on a miss only): the
 *       request names a {@link FileLink}, which maps to one of the upstream's own hosts, never elsewhere;</li>
 *   <li>a file is verified against the page's hash ({@code #sha256=}, or JSON {@code hashes}) and PEP 700
 *       {@code size} before it is committed; a metadata file against its advertised hash, and only when the
 *       page advertises it;</li>
 *   <li>a file already cached is served even when a newer page no longer lists it.</li>
 * </ul>
 * Thread-safe.
 */
final class PypiFiles {
    static final String METADATA = ".metadata";
    private static final Map<String, String> IMMUTABLE = Map.of("Cache-Control", "max-age=31536000, immutable");

    private final String repo;
    private final SimplePages pages;
    private final UpstreamHosts hosts;
    private final UpstreamClient upstream;

    PypiFiles(String repo, SimplePages pages, UpstreamHosts hosts, UpstreamClient upstream) {
        this.repo = repo;
        this.pages = pages;
        this.hosts = hosts;
        this.upstream = upstream;
    }

    /**
     * The file (or its metadata file) a request names.
     *
     * @param rest the path after {@code files/}, raw
     * @throws ProxyError 404 for a path that names no proxied link
     */
    Resource.Content resource(String rest) {
        boolean metadata = rest.endsWith(METADATA);
        String filePath = metadata ? rest.substring(0, rest.length() - METADATA.length()) : rest;
        FileLink link = FileLink.parse(filePath).filter(l -> hosts.origin(l.origin()).isPresent())
                .orElseThrow(() -> new ProxyError(404, "NOT_FOUND", "'files/" + shorten(rest)
                        + "' is not a file link of this repository (links come from its /simple/ pages)"));
        // Keys name the link by a digest: upstream paths may hold characters storage keys do not allow.
        String key = "pypi/" + repo + "/files/" + link.project() + "/" + sha256(link.id()) + (metadata ? METADATA : "");
        return new Resource.Content(key, "application/octet-stream", IMMUTABLE, repo, Resource.Guard.NONE,
                () -> plan(link, metadata), failures(link, metadata));
    }

    private Resource.Fetch plan(FileLink link, boolean metadata) throws IOException {
        FileEntry entry = pages.entry(link).orElseThrow(() -> new ProxyError(404, "NOT_FOUND", "'"
                + link.fileName() + "' is not listed on the current page of project '" + link.project() + "'"));
        if (metadata && !entry.metadata()) {
            throw new ProxyError(404, "NOT_FOUND", "the page of project '" + link.project()
                    + "' does not advertise a metadata file for '" + link.fileName() + "'");
        }
        URI file = link.upstream(hosts).orElseThrow();
        URI url = metadata ? URI.create(file + METADATA) : file;
        // Credentials go only to the index's own origin (UpstreamClient.send with a URI).
        return new Resource.Fetch(metadata ? entry.metadataCheck() : entry.fileCheck(),
                method -> upstream.send(method, url, Map.of(), null));
    }

    private static Failures failures(FileLink link, boolean metadata) {
        String what = (metadata ? "the metadata file of " : "file ") + "'" + link.fileName() + "' of project '"
                + link.project() + "'";
        return new Failures() {
            @Override
            public String what() {
                return what;
            }

            @Override
            public ProxyError notFound(int status) {
                // An advertised metadata file that upstream lacks is upstream's fault: pip fails hard on a 404
                // for it (pip #12033), so it is answered as the upstream failure it is.
                return new ProxyError(metadata ? 502 : 404, metadata ? "UNAVAILABLE" : "NOT_FOUND", what
                        + " is listed on the project page but its upstream answered HTTP " + status);
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(502, "UNAVAILABLE", "upstream answered HTTP " + status + " for " + what);
            }
        };
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
