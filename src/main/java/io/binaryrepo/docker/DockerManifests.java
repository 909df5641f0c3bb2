package io.binaryrepo.docker;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Manifests, as documents of the shared document cache, bytes stored and served exactly as fetched with
 * their original media type:
 * <ul>
 *   <li>by digest: immutable (a TTL that never ends), kept per image name, so a manifest is served for a
 *       name only when this repository's upstream gave it for that name;</li>
 *   <li>by tag: mutable, served within the repository's {@code metadataTtl}, then revalidated with a HEAD
 *       (which Docker Hub does not count against the pull limit) compared by digest, stale if upstream
 *       fails. One record per tag; a client whose Accept excludes its media type gets a record of its own
 *       per accepted-type set (with the same TTL and stale-if-error), so it does not go upstream every time.
 *       A manifest fetched by tag is also recorded by digest.</li>
 * </ul>
 * Tags that differ only in case are distinct keys; on a case-insensitive file system they would share a
 * file, so the cache root must be case-sensitive (docs/deploy.md). Thread-safe.
 */
final class DockerManifests {
    /** Never expires: {@code now - fetchedAt < Long.MAX_VALUE} always holds. */
    private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);

    private final DockerLinks links;
    private final Documents documents;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy byTag;
    private final MutableDocuments.Policy byDigest;

    DockerManifests(DockerLinks links, Documents documents, UpstreamClient upstream, Duration ttl) {
        this.links = links;
        this.documents = documents;
        this.upstream = upstream;
        this.byTag = new MutableDocuments.Policy(ttl, Duration.ZERO, Manifest.MAX_SIZE);
        this.byDigest = new MutableDocuments.Policy(FOREVER, Duration.ZERO, Manifest.MAX_SIZE);
    }

    Resource.Document resource(String name, DockerPath path, Accept accept) {
        if (path.digest() != null) {
            Digest digest = path.digest();
            return new Resource.Document(digestKey(name, digest), byDigest,
                    (etag, lastModified) -> fetch(name, digest.toString(), digest, accept),
                    DockerManifests::render,
                    DockerResolver.failures("MANIFEST_UNKNOWN", "manifest " + name + "@" + digest));
        }
        String tag = path.tag();
        String primary = links.repoKey(name) + "/_tags/" + tag;
        Optional<MutableDocuments.Document> rec = documents.peek(primary);
        String key = rec.isEmpty() || rec.get().missing() || accept.accepts(rec.get().contentType()) ? primary
                : links.repoKey(name) + "/_accept/" + accept.id() + "/" + tag;
        return new Resource.Document(key, byTag, (etag, lastModified) -> byTag(name, tag, etag, accept),
                DockerManifests::render,
                DockerResolver.failures("MANIFEST_UNKNOWN", "manifest " + name + ":" + tag));
    }

    private String digestKey(String name, Digest d) {
        return links.repoKey(name) + "/_manifests/" + d.keyPath();
    }

    private static Resource.Rendered render(MutableDocuments.Document d) {
        return Resource.Rendered.bytes(d.body(), d.contentType(),
                Map.of("Docker-Content-Digest", d.etag(), "ETag", "\"" + d.etag() + "\""));
    }

    /** Revalidates a cached tag with a HEAD (its digest is the cached ETag), or fetches it. */
    private MutableDocuments.Answer byTag(String name, String tag, String cachedDigest, Accept accept)
            throws IOException {
        if (cachedDigest != null) {
            try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/manifests/" + tag,
                    Map.of("Accept", accept.header()), DockerResolver.scope(name))) {
                if (r.status() == 404) {
                    return new MutableDocuments.Missing(404); // removed upstream
                }
                if (r.status() != 200) {
                    throw r.failure("manifest " + name + ":" + tag); // the cached copy is served
                }
                String d = r.header("Docker-Content-Digest");
                if (d != null && d.trim().equals(cachedDigest)) {
                    return new MutableDocuments.NotModified();
                }
            }
        }
        return fetch(name, tag, null, accept);
    }

    /** GETs a manifest from upstream, verifies its digest, and records it by digest for {@code name}. */
    private MutableDocuments.Answer fetch(String name, String reference, Digest expected, Accept accept)
            throws IOException {
        String what = "manifest " + name + (expected != null ? "@" : ":") + reference;
        byte[] body;
        String contentType;
        Digest announced = null;
        try (UpstreamResponse r = upstream.send("GET", "/v2/" + name + "/manifests/" + reference,
                Map.of("Accept", accept.header()), DockerResolver.scope(name))) {
            if (r.status() == 404) {
                return new MutableDocuments.Missing(404);
            }
            if (r.status() != 200) {
                throw r.failure(what);
            }
            body = r.readBody(Manifest.MAX_SIZE);
            contentType = r.header("Content-Type");
            announced = announced(r.header("Docker-Content-Digest"));
        }
        Digest basis = expected != null ? expected : announced != null ? announced : Digest.sha256(body);
        Digest actual = basis.of(body);
        if (expected != null && !actual.equals(expected)) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream sent a manifest that does not match " + expected + "; not cached", null);
        }
        if (announced != null && announced.algorithm().equals(actual.algorithm()) && !announced.equals(actual)) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream sent " + what + " whose bytes do not match its Docker-Content-Digest; not cached", null);
        }
        MutableDocuments.Fetched f = new MutableDocuments.Fetched(body, mediaType(contentType, body), actual.toString(),
                null);
        if (expected == null) {
            documents.put(digestKey(name, actual), f);
        }
        return f;
    }

    private static Digest announced(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Digest.parse(header.trim());
        } catch (IllegalArgumentException ignored) {
            return null; // an unusable header: the computed digest is what counts
        }
    }

    private static String mediaType(String contentType, byte[] body) {
        String t = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("application/json") || t.equals("text/plain")
                || t.equals("application/octet-stream")) {
            String fromBody = Manifest.mediaTypeOf(body);
            if (fromBody != null) {
                return fromBody;
            }
        }
        return t.isEmpty() ? "application/json" : t;
    }

}
