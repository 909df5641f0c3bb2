package io.binaryrepo.maven;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The mutable files of a Maven repository, kept by the shared document cache: {@code maven-metadata.xml}
 * at group, artifact and {@code -SNAPSHOT} level, the root {@code archetype-catalog.xml}, and
 * non-timestamped snapshot files. Served within {@code metadataTtl}, then revalidated (conditionally when
 * upstream gave an ETag or Last-Modified), served stale when upstream fails; "not found" is remembered for
 * the negative TTL. A checksum file of one of them is rendered from the same cached document, so the
 * two always agree. An HTML answer, a body that disagrees with upstream's {@code X-Checksum-*} header, or
 * a {@code maven-metadata.xml} without a {@code <metadata>} element is refused (not cached; the cached
 * copy is served instead). Directory listings are passed through, never stored. Thread-safe.
 */
final class MavenDocuments {
    /** Larger than any real metadata file (Central's largest are a few hundred KiB). */
    static final int MAX_METADATA = 8 * 1024 * 1024;
    /** Non-timestamped snapshot files are whole jars: held in memory while fetched, so capped. */
    static final int MAX_SNAPSHOT_FILE = 32 * 1024 * 1024;
    static final int MAX_LISTING = 2 * 1024 * 1024;

    private final String keyPrefix;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy metadata;
    private final MutableDocuments.Policy snapshotFiles;
    private final MutableDocuments.Policy listings = MutableDocuments.Policy.uncached(MAX_LISTING);

    /**
     * @param keyPrefix the repository's storage key prefix, ending with {@code /}
     * @param ttl how long a document is served without asking upstream
     * @param negativeTtl how long "not found" is remembered
     */
    MavenDocuments(String keyPrefix, UpstreamClient upstream, Duration ttl, Duration negativeTtl) {
        this.keyPrefix = keyPrefix;
        this.upstream = upstream;
        this.metadata = new MutableDocuments.Policy(ttl, negativeTtl, MAX_METADATA);
        this.snapshotFiles = new MutableDocuments.Policy(ttl, negativeTtl, MAX_SNAPSHOT_FILE);
    }

    /** A metadata file or non-timestamped snapshot file, with {@code X-Checksum-Sha1} of its bytes. */
    Resource.Document document(MavenPath path) {
        return new Resource.Document(keyPrefix + path.key(), policy(path), fetcher(path),
                d -> Resource.Rendered.bytes(d.body(), path.contentType(),
                        Map.of(ChecksumAlgorithm.SHA1.header(), hex(ChecksumAlgorithm.SHA1, d.body()))),
                MavenResolver.failures(path));
    }

    /** The checksum file of a metadata or snapshot file: the digest of the document served for it. */
    Resource.Document checksum(MavenPath path) {
        MavenPath target = path.target();
        ChecksumAlgorithm a = path.algorithm();
        return new Resource.Document(keyPrefix + target.key(), policy(target), fetcher(target),
                d -> Resource.Rendered.bytes(Checksums.sidecarBody(hex(a, d.body())), path.contentType(), Map.of()),
                MavenResolver.failures(path));
    }

    /** A directory listing: upstream's page as it is, asked every time, never stored. */
    Resource.Document listing(MavenPath path) {
        return new Resource.Document(keyPrefix + path.listingKey(), listings,
                UpstreamDocuments.conditionalGet(h -> upstream.send("GET", path.upstreamPath(), h, null),
                        UpstreamDocuments.capped(MAX_LISTING), path.path().isEmpty() ? "/" : path.path()),
                d -> Resource.Rendered.bytes(d.body(), d.contentType() == null ? "text/html" : d.contentType(),
                        // Upstream's HTML on binaryrepo's origin: it may not run scripts there.
                        Map.of("Content-Security-Policy", "sandbox", "Cache-Control", "no-store")),
                MavenResolver.failures(path));
    }

    private MutableDocuments.Policy policy(MavenPath path) {
        return path.kind() == MavenPath.Kind.SNAPSHOT_FILE ? snapshotFiles : metadata;
    }

    private MutableDocuments.Fetcher fetcher(MavenPath path) {
        int max = path.kind() == MavenPath.Kind.SNAPSHOT_FILE ? MAX_SNAPSHOT_FILE : MAX_METADATA;
        return UpstreamDocuments.conditionalGet(h -> upstream.send("GET", path.upstreamPath(), h, null),
                r -> checked(path, r, max), path.path());
    }

    private static byte[] checked(MavenPath path, UpstreamResponse r, int max) throws IOException {
        if (HtmlAnswers.unexpected(path, r.header("Content-Type"))) {
            throw invalid("upstream answered an HTML page for " + path.path());
        }
        byte[] body = r.readBody(max);
        Optional<ExpectedChecksum> expected = Checksums.fromHeaders(r::header);
        if (expected.isPresent() && !hex(expected.get().algorithm(), body).equals(expected.get().hex())) {
            throw invalid("upstream's " + path.path() + " does not match its " + expected.get().source() + " header");
        }
        if (path.fileName().equals(MavenPath.METADATA)
                && !new String(body, StandardCharsets.UTF_8).contains("<metadata")) {
            throw invalid("upstream's " + path.path() + " is not Maven repository metadata");
        }
        return body;
    }

    private static UpstreamException invalid(String message) {
        return new UpstreamException(UpstreamException.Kind.INVALID, message + " (refused, not cached)", null);
    }

    static String hex(ChecksumAlgorithm a, byte[] body) {
        return HexFormat.of().formatHex(a.newDigest().digest(body));
    }
}
