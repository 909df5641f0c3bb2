package io.binaryrepo.docker;

import io.binaryrepo.cache.Coalescer;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests: by digest (immutable, served from the cache forever once this repository's upstream has
 * confirmed it) and by tag (mutable: served within the TTL, then revalidated with a HEAD, which Docker
 * Hub does not count against the pull limit; stale if upstream fails). Bytes are stored and served
 * exactly as fetched, with their original media type. Thread-safe.
 */
final class ManifestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestHandler.class);

    private final String repo;
    private final DockerStore store;
    private final UpstreamClient upstream;
    private final Clock clock;
    private final Duration ttl;
    private final Coalescer<Manifest> inflight = new Coalescer<>();

    ManifestHandler(String repo, DockerStore store, UpstreamClient upstream, Clock clock, Duration ttl) {
        this.repo = repo;
        this.store = store;
        this.upstream = upstream;
        this.clock = clock;
        this.ttl = ttl;
    }

    void serve(String name, DockerPath path, Accept accept, boolean head, HttpServletResponse response)
            throws IOException {
        Manifest m = path.digest() != null ? byDigest(name, path.digest(), accept) : byTag(name, path.tag(), accept);
        response.setStatus(200);
        response.setContentType(m.mediaType());
        response.setHeader("Docker-Content-Digest", m.digest().toString());
        response.setHeader("ETag", "\"" + m.digest() + "\"");
        response.setContentLength(m.body().length);
        if (!head) {
            response.getOutputStream().write(m.body());
        }
    }

    private Manifest byDigest(String name, Digest digest, Accept accept) throws IOException {
        Optional<Manifest> cached = store.manifest(digest);
        if (cached.isPresent()) {
            if (!store.linked(name, digest)) {
                confirm(name, digest, accept);
            }
            return cached.get();
        }
        return inflight.get("d|" + name + "|" + digest, () -> fetch(name, digest.toString(), digest, accept));
    }

    private Manifest byTag(String name, String tag, Accept accept) throws IOException {
        Optional<DockerStore.TagRecord> rec = store.tag(name, tag);
        if (rec.isPresent() && accept.accepts(rec.get().mediaType())) {
            Optional<Manifest> m = store.manifest(rec.get().digest());
            if (m.isPresent()) {
                if (clock.millis() - rec.get().fetchedAt() < ttl.toMillis()) {
                    return m.get();
                }
                return revalidate(name, tag, rec.get(), m.get(), accept);
            }
        }
        // A client that does not accept the recorded media type gets what upstream gives it for its
        // Accept header; that answer is cached by digest but does not replace the tag record.
        boolean record = rec.isEmpty() || accept.accepts(rec.get().mediaType());
        return inflight.get("t|" + name + "|" + tag + "|" + accept.header(), () -> {
            Manifest m = fetch(name, tag, null, accept);
            if (record) {
                store.putTag(name, tag, new DockerStore.TagRecord(m.digest(), m.mediaType(), clock.millis()));
            }
            return m;
        });
    }

    private Manifest revalidate(String name, String tag, DockerStore.TagRecord rec, Manifest cached, Accept accept)
            throws IOException {
        try {
            return inflight.get("r|" + name + "|" + tag + "|" + accept.header(), () -> {
                try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/manifests/" + tag,
                        Map.of("Accept", accept.header()), scope(name))) {
                    if (r.status() == 404) {
                        throw new ProxyError(404, "MANIFEST_UNKNOWN", "manifest " + name + ":" + tag
                                + " is unknown to the upstream registry (it was removed upstream)");
                    }
                    UpstreamAnswers.requireOk(r, "MANIFEST_UNKNOWN", "manifest " + name + ":" + tag);
                    String d = r.header("Docker-Content-Digest");
                    if (d != null && d.trim().equals(rec.digest().toString())) {
                        store.putTag(name, tag, new DockerStore.TagRecord(rec.digest(), rec.mediaType(), clock.millis()));
                        return cached;
                    }
                }
                Manifest m = fetch(name, tag, null, accept);
                store.putTag(name, tag, new DockerStore.TagRecord(m.digest(), m.mediaType(), clock.millis()));
                return m;
            });
        } catch (ProxyError e) {
            if (e.status() == 404) {
                throw e;
            }
            LOG.warn("repository {}: serving cached {}:{} ({}), upstream refused revalidation: {}", repo, name, tag,
                    rec.digest(), e.getMessage());
            return cached;
        } catch (IOException e) {
            LOG.warn("repository {}: serving cached {}:{} ({}), upstream failed: {}", repo, name, tag,
                    rec.digest(), e.getMessage());
            return cached;
        }
    }

    /** Asks upstream whether this repository may see {@code digest} (HEAD); records the answer. */
    private void confirm(String name, Digest digest, Accept accept) throws IOException {
        try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/manifests/" + digest,
                Map.of("Accept", accept.header()), scope(name))) {
            UpstreamAnswers.requireOk(r, "MANIFEST_UNKNOWN", "manifest " + name + "@" + digest);
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "MANIFEST_UNKNOWN", "manifest " + name + "@" + digest);
        }
        store.link(name, digest);
    }

    /** GETs a manifest from upstream, verifies its digest, stores it and links what it references. */
    private Manifest fetch(String name, String reference, Digest expected, Accept accept) throws IOException {
        String what = "manifest " + name + (expected != null ? "@" : ":") + reference;
        byte[] body;
        String contentType;
        Digest announced = null;
        try (UpstreamResponse r = upstream.send("GET", "/v2/" + name + "/manifests/" + reference,
                Map.of("Accept", accept.header()), scope(name))) {
            UpstreamAnswers.requireOk(r, "MANIFEST_UNKNOWN", what);
            body = r.readBody(Manifest.MAX_SIZE);
            contentType = r.header("Content-Type");
            String d = r.header("Docker-Content-Digest");
            if (d != null) {
                try {
                    announced = Digest.parse(d.trim());
                } catch (IllegalArgumentException ignored) {
                    // an unusable header: the computed digest is what counts
                }
            }
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "MANIFEST_UNKNOWN", what);
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
        Manifest m = new Manifest(actual, mediaType(contentType, body), body);
        store.putManifest(m);
        store.link(name, m.digest());
        for (Digest ref : m.references()) {
            store.link(name, ref);
        }
        return m;
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

    static String scope(String name) {
        return "repository:" + name + ":pull";
    }
}
