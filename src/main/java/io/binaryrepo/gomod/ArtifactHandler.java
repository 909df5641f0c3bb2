package io.binaryrepo.gomod;

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

/**
 * {@code .mod} and {@code .zip} of canonical module versions: immutable, served by the shared
 * {@link Artifacts} (cache hit with ranges, one shared download per file, passthrough when the disk is
 * full). binaryrepo knows no digest for them, so a download is checked for its announced length only;
 * the go command verifies the content against go.sum and the checksum database. A HEAD of a file that is
 * not cached asks upstream with a HEAD instead of downloading. Thread-safe.
 */
final class ArtifactHandler {
    private static final Map<String, String> IMMUTABLE = Map.of("Cache-Control", "public, max-age=31536000, immutable");

    private final String keyPrefix;
    private final Artifacts artifacts;
    private final UpstreamClient upstream;
    private final Duration headTimeout;

    /**
     * @param keyPrefix the repository's storage key prefix, ending with {@code /}
     * @param headTimeout longest wait for upstream's response headers of a download
     */
    ArtifactHandler(String keyPrefix, Artifacts artifacts, UpstreamClient upstream, Duration headTimeout) {
        this.keyPrefix = keyPrefix;
        this.artifacts = artifacts;
        this.upstream = upstream;
        this.headTimeout = headTimeout;
    }

    void serve(GoPath path, HttpServletRequest servletRequest, boolean head, HttpServletResponse response)
            throws IOException {
        Artifacts.Request request = new Artifacts.Request(keyPrefix + path.key(), path.contentType(), IMMUTABLE,
                ByteRange.headers(servletRequest), head, servletRequest);
        try {
            Optional<Storage.Entry> entry = artifacts.cached(request.key());
            if (entry.isPresent()) {
                artifacts.serveCached(entry.get(), request, response);
            } else if (head) {
                headUpstream(path, request, response);
            } else {
                artifacts.serveMiss(request, new Fetch(path), response);
            }
        } catch (UpstreamException e) {
            throw GoErrors.rethrow(e, path);
        }
    }

    private void headUpstream(GoPath path, Artifacts.Request request, HttpServletResponse response) throws IOException {
        long length;
        try (UpstreamResponse r = upstream.send("HEAD", path.upstreamPath(), Map.of(), null)) {
            if (r.status() != 200) {
                throw r.failure(path.describe());
            }
            length = r.contentLength();
        }
        artifacts.serveHead(request, length, response);
    }

    /** How a missing file is fetched. */
    private final class Fetch implements Artifacts.Fetch {
        private final GoPath path;

        Fetch(GoPath path) {
            this.path = path;
        }

        @Override
        public Object origin() {
            // Keys are per repository, so every download of a key comes from this repository's upstream.
            return keyPrefix;
        }

        @Override
        public ContentCheck check() {
            return ContentCheck.sizeOnly(-1);
        }

        @Override
        public UpstreamBody open() throws IOException {
            UpstreamResponse r = upstream.send("GET", path.upstreamPath(), Map.of(), null);
            try {
                if (r.status() != 200) {
                    throw r.failure(path.describe());
                }
                return r.asBody(path.contentType());
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        }

        @Override
        public Duration headTimeout() {
            return headTimeout;
        }
    }

}
