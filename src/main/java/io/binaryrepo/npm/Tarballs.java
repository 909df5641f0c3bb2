package io.binaryrepo.npm;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.UpstreamClient;
import java.io.IOException;
import java.util.Map;

/**
 * Tarballs: immutable content, cached forever under the repository. A miss looks the tarball up in the
 * package's packument ({@link Packuments#dist}) for the hash it must have ({@code dist.integrity}, else
 * {@code dist.shasum}: {@link Integrity}); the shared handler downloads it once however many clients ask,
 * streams it to all of them, and commits it only when it hashes to that. It is fetched from the
 * configured upstream URL and the tarball's path, never from the host a packument names. Thread-safe.
 */
final class Tarballs {
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final Map<String, String> HEADERS = Map.of("Cache-Control", "public, max-age=31536000, immutable");

    private final String repo;
    private final Packuments packuments;
    private final UpstreamClient upstream;

    Tarballs(String repo, Packuments packuments, UpstreamClient upstream) {
        this.repo = repo;
        this.packuments = packuments;
        this.upstream = upstream;
    }

    /** {@code GET /<name>/-/<file>.tgz}. */
    Resource.Content resource(NpmPath path) {
        return new Resource.Content(path.key(repo), CONTENT_TYPE, HEADERS, repo, Resource.Guard.NONE,
                () -> plan(path), Failures.of("NOT_FOUND", "tarball " + path.tarballPath(),
                        " not found on the upstream of repository '" + repo + "'", false));
    }

    private Resource.Fetch plan(NpmPath path) throws IOException {
        PackumentScan.Dist dist = packuments.dist(path.name(), path.tarballPath());
        ContentCheck check = Integrity.check(dist.integrity(), dist.shasum(), -1).orElseThrow(() -> new ProxyError(502,
                "UNAVAILABLE", "the packument of " + path.name() + " gives no usable dist.integrity or dist.shasum "
                + "for version " + dist.version() + ": binaryrepo serves only tarballs it can verify"));
        String upstreamPath = "/" + path.tarballPath();
        return new Resource.Fetch(check, method -> upstream.send(method, upstreamPath, Map.of(), null));
    }
}
