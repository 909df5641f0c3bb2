package io.binaryrepo.docker;

import io.binaryrepo.cache.Artifacts;
import io.binaryrepo.cache.ByteRange;
import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.UpstreamBody;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs: immutable, addressed by digest, served by the shared {@link Artifacts} (cache hit, or one
 * verified download shared by every waiting client). What is Docker's own: a blob is served through this
 * repository only after its upstream confirmed it for the image name (a manifest listing it, a download,
 * or a HEAD), and a HEAD of a missing blob asks upstream instead of downloading. Thread-safe.
 */
final class BlobHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BlobHandler.class);

    private final String repo;
    private final DockerStore store;
    private final Artifacts artifacts;
    private final UpstreamClient upstream;
    private final Duration headTimeout;

    BlobHandler(String repo, DockerStore store, Artifacts artifacts, UpstreamClient upstream, Duration headTimeout) {
        this.repo = repo;
        this.store = store;
        this.artifacts = artifacts;
        this.upstream = upstream;
        this.headTimeout = headTimeout;
    }

    void serve(String name, Digest digest, HttpServletRequest servletRequest, boolean head,
            HttpServletResponse response) throws IOException {
        String what = "blob " + name + "@" + digest;
        Artifacts.Request request = new Artifacts.Request(DockerStore.blobKey(digest), "application/octet-stream",
                Map.of("Docker-Content-Digest", digest.toString(), "ETag", "\"" + digest + "\"",
                        "Cache-Control", "max-age=31536000, immutable"), ByteRange.headers(servletRequest), head,
                servletRequest);
        try {
            Optional<Storage.Entry> entry = artifacts.cached(request.key());
            if (entry.isPresent()) {
                confirm(name, digest);
                artifacts.serveCached(entry.get(), request, response);
            } else if (head) {
                headUpstream(name, digest, request, response);
            } else {
                artifacts.serveMiss(request, new BlobFetch(name, digest), response);
            }
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "BLOB_UNKNOWN", what);
        }
    }

    /** How a missing blob is fetched for one repository and image name. */
    private final class BlobFetch implements Artifacts.Fetch {
        private final String name;
        private final Digest digest;
        private final String origin;

        BlobFetch(String name, Digest digest) {
            this.name = name;
            this.digest = digest;
            this.origin = repo + "/" + name;
        }

        @Override
        public Object origin() {
            return origin;
        }

        @Override
        public ContentCheck check() {
            return digest.check(-1);
        }

        @Override
        public UpstreamBody open() throws IOException {
            UpstreamResponse r = upstream.send("GET", "/v2/" + name + "/blobs/" + digest, Map.of(),
                    ManifestHandler.scope(name));
            try {
                if (r.status() != 200) {
                    throw r.failure("blob " + name + "@" + digest);
                }
                // Upstream answered for this name: that is the confirmation a later request needs.
                link(name, digest);
                return r.asBody("application/octet-stream");
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        }

        @Override
        public void confirmOtherOrigin() throws IOException {
            // Someone else's download: share its bytes only once our upstream vouches for the blob.
            confirm(name, digest);
        }

        @Override
        public Duration headTimeout() {
            return headTimeout;
        }
    }


    /** HEAD of a blob that is not cached: ask upstream (HEAD), do not download (Harbor #22609). */
    private void headUpstream(String name, Digest digest, Artifacts.Request request, HttpServletResponse response)
            throws IOException {
        long length;
        try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/blobs/" + digest, Map.of(),
                ManifestHandler.scope(name))) {
            UpstreamAnswers.requireOk(r, "BLOB_UNKNOWN", "blob " + name + "@" + digest);
            length = r.contentLength();
        }
        link(name, digest);
        artifacts.serveHead(request, length, response);
    }

    /** Makes sure this repository's upstream has vouched for the blob under {@code name}. */
    private void confirm(String name, Digest digest) throws IOException {
        if (store.linked(name, digest)) {
            return;
        }
        try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/blobs/" + digest, Map.of(),
                ManifestHandler.scope(name))) {
            UpstreamAnswers.requireOk(r, "BLOB_UNKNOWN", "blob " + name + "@" + digest);
        }
        link(name, digest);
    }

    private void link(String name, Digest digest) {
        try {
            store.link(name, digest);
        } catch (IOException e) {
            LOG.warn("repository {}: could not record {} for {}: {}", repo, digest, name, e.toString());
        }
    }
}
