package io.binaryrepo.npm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packuments: documents of the shared document cache (served within {@code metadataTtl}, revalidated with
 * a conditional GET, stale if upstream fails, "not found" remembered briefly). The full document is fetched
 * and stored as upstream sent it (checked to be one JSON object with the requested name); each answer is
 * rendered from it per request ({@link PackumentRendering}): full or abbreviated, tarballs under the public
 * URL. A version a cached packument does not list may have been published since it was fetched (Verdaccio
 * #862): the packument is then asked again, once, if it is older than {@code refetchAge} (so a flood of
 * requests for versions that do not exist costs one upstream request per package and period). Thread-safe.
 */
final class Packuments {
    private static final Logger LOG = LoggerFactory.getLogger(Packuments.class);

    private final String repo;
    private final Documents documents;
    private final MutableDocuments.Policy policy;
    private final MutableDocuments.Policy refetch;
    private final UpstreamClient upstream;
    private final PackumentScan scan;
    private final PackumentRendering rendering;

    /**
     * @param refetchAge how old a cached packument must be before a missing version makes it be asked again
     */
    Packuments(String repo, Documents documents, MutableDocuments.Policy policy, Duration refetchAge,
            UpstreamClient upstream, PackumentScan scan, PackumentRendering rendering) {
        this.repo = repo;
        this.documents = documents;
        this.policy = policy;
        this.refetch = new MutableDocuments.Policy(refetchAge.compareTo(policy.ttl()) < 0 ? refetchAge : policy.ttl(),
                policy.negativeTtl(), policy.maxBytes());
        this.upstream = upstream;
        this.scan = scan;
        this.rendering = rendering;
    }

    /**
     * {@code GET /<name>}: the variant the client's {@code Accept} prefers; a {@code 304} when its
     * {@code If-None-Match} names the answer's ETag.
     */
    Resource packument(PackageName name, ClientRequest request) throws IOException {
        Variant variant = Variant.preferred(request.headers("Accept"));
        String url = repositoryUrl(request);
        String key = key(name);
        Resource.Document d = document(name, policy, doc -> rendering.packument(key, doc, variant, url));
        String inm = request.header("If-None-Match");
        if (inm == null) {
            return d;
        }
        Resource.Rendered r = d.renderer().render(documents.current(d));
        return NotModified.matches(inm, r.headers().get("ETag")) ? NotModified.of(r) : d;
    }

    /** {@code GET /<name>/<version-or-tag>}: one version's manifest, the packument asked again once when needed. */
    Resource version(PackageName name, String versionOrTag, ClientRequest request) throws IOException {
        String url = repositoryUrl(request);
        String key = key(name);
        MutableDocuments.Document doc = documents.current(document(name, policy, null));
        Optional<String> version = scan.resolve(new ByteArrayInputStream(doc.body()), versionOrTag);
        MutableDocuments.Policy p = policy;
        if (version.isEmpty()) {
            p = refetch;
            doc = documents.current(document(name, p, null));
            version = scan.resolve(new ByteArrayInputStream(doc.body()), versionOrTag);
        }
        String v = version.orElseThrow(() -> new ProxyError(404, "NOT_FOUND", "package " + name
                + " has no version or dist-tag '" + versionOrTag + "'"));
        Resource.Document d = document(name, p, x -> rendering.version(key, x, v, url));
        String inm = request.header("If-None-Match");
        if (inm != null) {
            Resource.Rendered r = d.renderer().render(documents.current(d));
            if (NotModified.matches(inm, r.headers().get("ETag"))) {
                return NotModified.of(r);
            }
        }
        return d;
    }

    /**
     * The {@code dist} of the version whose tarball is {@code tarball} (its path relative to the registry,
     * {@code @scope/name/-/name-1.0.0.tgz}); the packument is asked again once when no version has it.
     *
     * @throws ProxyError 404 when no version has it, or upstream has no such package
     * @throws IOException when upstream fails and nothing is cached
     */
    PackumentScan.Dist dist(PackageName name, String tarball) throws IOException {
        MutableDocuments.Document doc = documents.current(document(name, policy, null));
        Optional<PackumentScan.Dist> dist = scan.tarball(new ByteArrayInputStream(doc.body()), tarball);
        if (dist.isEmpty()) {
            doc = documents.current(document(name, refetch, null));
            dist = scan.tarball(new ByteArrayInputStream(doc.body()), tarball);
        }
        return dist.orElseThrow(() -> new ProxyError(404, "NOT_FOUND", "no version of " + name
                + " has the tarball " + tarball + " (on the repository's upstream)"));
    }

    private String repositoryUrl(ClientRequest request) {
        return request.baseUrl() + "/repo/" + repo;
    }

    private String key(PackageName name) {
        return "npm/" + repo + "/packuments/" + name.keyPath() + "/_packument";
    }

    private Resource.Document document(PackageName name, MutableDocuments.Policy p, Resource.Renderer renderer) {
        Resource.Renderer r = renderer != null ? renderer
                : doc -> { throw new IllegalStateException("a lookup document is never rendered"); };
        return new Resource.Document(key(name), p, UpstreamDocuments.conditionalGet(
                headers -> upstream.send("GET", "/" + name.packumentPath(), full(headers), null),
                response -> read(name, response), "packument " + name), r, failures(name));
    }

    /** Always the full document (some registries answer 406 to an Accept naming only the abbreviated type). */
    private static Map<String, String> full(Map<String, String> conditional) {
        Map<String, String> h = new LinkedHashMap<>(conditional);
        h.put("Accept", "application/json");
        return h;
    }

    /** Reads a new packument within the size cap, checked to be a packument of {@code name}. */
    private byte[] read(PackageName name, UpstreamResponse r) throws IOException {
        long announced = r.contentLength();
        if (announced > policy.maxBytes()) {
            throw invalid("upstream packument of " + name + " has " + announced + " bytes, over the limit of "
                    + policy.maxBytes());
        }
        long t0 = System.nanoTime();
        byte[] body = r.readBody(policy.maxBytes());
        PackumentScan.Summary s;
        try {
            s = scan.summary(new ByteArrayInputStream(body));
        } catch (IOException e) {
            throw invalid("upstream packument of " + name + " is not a JSON packument: " + e.getMessage());
        }
        if (s.name() != null && !s.name().equals(name.toString())) {
            throw invalid("upstream answered the packument of '" + s.name() + "' for " + name);
        }
        LOG.info("repository {}: fetched packument {} ({} bytes, {} versions) in {} ms", repo, name, body.length,
                s.versions(), (System.nanoTime() - t0) / 1_000_000);
        return body;
    }

    private static UpstreamException invalid(String message) {
        return new UpstreamException(UpstreamException.Kind.INVALID, message, null);
    }

    private Failures failures(PackageName name) {
        return new Failures() {
            @Override
            public String what() {
                return "packument " + name;
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(404, "NOT_FOUND", "package " + name + " not found on the upstream of repository '"
                        + repo + "'");
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(403, "DENIED", "the upstream of repository '" + repo + "' denied access to "
                        + name + " (check this repository's upstream credentials)");
            }
        };
    }
}
