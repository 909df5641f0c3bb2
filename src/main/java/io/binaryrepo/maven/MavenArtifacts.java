package io.binaryrepo.maven;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.Traffic;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Release artifacts and timestamped snapshot files: immutable content, cached forever, and their checksum
 * files.
 *
 * <p>A download is verified before it is committed against the checksum upstream gives: the strongest of
 * the {@code X-Checksum-Sha512/-Sha256/-Sha1/-Md5} headers of the answer when there is one (repository
 * managers send them), else the {@code .sha1} sidecar fetched from upstream. A mismatch is never committed:
 * every client streaming the download sees its transfer aborted (headers go out as soon as upstream
 * answers), and the next request asks upstream again. Without any checksum upstream the announced length
 * alone is checked (logged at debug), as Maven itself would with no sidecar to compare. An HTML answer for a non-HTML file (a portal or proxy error page answering
 * 200, MNG-5300) is refused with 502 and nothing is cached. Authoritative 404/410 answers are remembered
 * briefly ({@link RecentNotFound}); failures never are.
 *
 * <p>Cached artifacts are answered with {@code X-Checksum-Sha1} of the stored bytes (Maven 3.9 then skips
 * the {@code .sha1} request), and checksum files of cached artifacts are computed from the stored bytes
 * ({@link StoredChecksums}), so they always match what binaryrepo serves. Thread-safe.
 */
final class MavenArtifacts {
    private static final Logger LOG = LoggerFactory.getLogger(MavenArtifacts.class);
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final String keyPrefix;
    private final UpstreamClient upstream;
    private final StoredChecksums stored;
    private final RecentNotFound notFound;

    MavenArtifacts(String keyPrefix, UpstreamClient upstream, Storage storage, RecentNotFound notFound) {
        this.keyPrefix = keyPrefix;
        this.upstream = upstream;
        this.stored = new StoredChecksums(storage, keyPrefix);
        this.notFound = notFound;
    }

    /** The content resource of an artifact. */
    Resource.Content content(MavenPath path) throws IOException {
        String key = keyPrefix + path.key();
        Map<String, String> headers = new HashMap<>();
        headers.put("Cache-Control", IMMUTABLE);
        Optional<String> sha1 = stored.of(path, ChecksumAlgorithm.SHA1);
        if (sha1.isPresent()) {
            headers.put(ChecksumAlgorithm.SHA1.header(), sha1.get());
        } else if (notFound.contains(key)) {
            throw MavenResolver.failures(path).notFound(404);
        }
        // Keys are per repository, so every download of a key comes from this repository's upstream.
        return new Resource.Content(key, path.contentType(), headers, keyPrefix, Resource.Guard.NONE,
                () -> new Resource.Fetch(ContentCheck.sizeOnly(-1), method -> send(path, key, method),
                        (answer, planned) -> check(path, answer)),
                // Maven retries a 502 but fails a build on a cut-off transfer: verify before the first byte
                MavenResolver.failures(path), true, MavenArtifacts::sha1Header);
    }

    /** A miss announces the SHA-1 it was verified against, as a hit does (Maven 3.9 then skips the .sha1). */
    private static Map<String, String> sha1Header(ContentCheck check) {
        return check.expectedHex() != null && check.algorithm().equals(ChecksumAlgorithm.SHA1.digestName())
                ? Map.of(ChecksumAlgorithm.SHA1.header(), check.expectedHex()) : Map.of();
    }

    private UpstreamResponse send(MavenPath path, String key, String method) throws IOException {
        UpstreamResponse r = upstream.send(Traffic.forContent(method), method, path.upstreamPath(), Map.of(), null);
        if (r.status() == 404 || r.status() == 410) {
            notFound.remember(key);
        } else if (r.status() == 200 && HtmlAnswers.unexpected(path, r.header("Content-Type"))) {
            r.close();
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream answered an HTML page for " + path.path() + " (refused, not cached)", null);
        }
        return r;
    }

    /** The check of a download, from upstream's answer headers or else the {@code .sha1} sidecar. */
    private ContentCheck check(MavenPath path, UpstreamResponse answer) throws IOException {
        long size = answer.contentLength();
        Optional<ExpectedChecksum> expected = Checksums.fromHeaders(answer::header);
        if (expected.isEmpty()) {
            // Asked while the download holds its connection: the sidecar goes through the metadata pool
            // (the default), so downloads filling the content pool cannot wait on each other's sidecars.
            expected = sidecar(path, ChecksumAlgorithm.SHA1);
        }
        if (expected.isEmpty()) {
            LOG.debug("no checksum upstream for {}: checked for its length only", path);
            return ContentCheck.sizeOnly(size);
        }
        return expected.get().toContentCheck(size);
    }

    /**
     * Upstream's {@code a} sidecar of {@code path}: empty when upstream has none (404/410) or it is not a
     * checksum; an upstream failure is thrown (nothing unverified is committed because of a blip).
     */
    private Optional<ExpectedChecksum> sidecar(MavenPath path, ChecksumAlgorithm a) throws IOException {
        String sidecar = path.upstreamSidecarPath(a);
        try (UpstreamResponse r = upstream.send("GET", sidecar, Map.of(), null)) {
            if (r.status() == 404 || r.status() == 410) {
                return Optional.empty();
            }
            if (r.status() != 200) {
                throw r.failure(sidecar);
            }
            byte[] body = readSidecar(r);
            Optional<ExpectedChecksum> c = Checksums.fromSidecar(body, a, sidecar);
            if (c.isEmpty()) {
                LOG.warn("upstream's {} is not a {} checksum; {} is checked for its length only", sidecar, a, path);
            }
            return c;
        }
    }

    /** A checksum file of an artifact: computed from the cached artifact, else upstream's sidecar. */
    Resource checksum(MavenPath path) throws IOException {
        Optional<String> hex = stored.of(path.target(), path.algorithm());
        if (hex.isPresent()) {
            return new Resource.Fixed(200, path.contentType(), Map.of("Cache-Control", IMMUTABLE),
                    Checksums.sidecarBody(hex.get()));
        }
        // Not cached: upstream's sidecar, normalised to the bare hex. The artifact, when it is fetched, is
        // verified against upstream's checksum, so what binaryrepo serves later matches this.
        String negativeKey = keyPrefix + "sidecar/" + path.path();
        Failures failures = MavenResolver.failures(path);
        if (notFound.contains(negativeKey)) {
            throw failures.notFound(404);
        }
        try (UpstreamResponse r = upstream.send("GET", path.upstreamPath(), Map.of(), null)) {
            if (r.status() == 404 || r.status() == 410) {
                notFound.remember(negativeKey);
                throw failures.notFound(r.status());
            }
            if (r.status() != 200) {
                throw failures.map(r.failure(path.path()));
            }
            Optional<ExpectedChecksum> c = Checksums.fromSidecar(readSidecar(r), path.algorithm(), path.path());
            if (c.isEmpty()) {
                throw new ProxyError(502, "BAD_UPSTREAM", "upstream's " + path.path() + " is not a "
                        + path.algorithm() + " checksum");
            }
            return new Resource.Fixed(200, path.contentType(), Map.of(), Checksums.sidecarBody(c.get().hex()));
        } catch (UpstreamException e) {
            throw failures.map(e);
        }
    }

    /** A sidecar body, or an empty one when it is too large to be a checksum. */
    private static byte[] readSidecar(UpstreamResponse r) throws IOException {
        if (r.contentLength() > Checksums.MAX_SIDECAR_BYTES) {
            return new byte[0];
        }
        try {
            return r.readBody(Checksums.MAX_SIDECAR_BYTES);
        } catch (UpstreamException e) {
            if (e.kind() == UpstreamException.Kind.INVALID) {
                return new byte[0]; // larger than a checksum file can be
            }
            throw e;
        }
    }
}
