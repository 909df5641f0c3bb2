package io.binaryrepo.docker;

import io.binaryrepo.cache.CacheWriteException;
import io.binaryrepo.cache.Download;
import io.binaryrepo.cache.DownloadFailedException;
import io.binaryrepo.cache.Passthrough;
import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.UpstreamBody;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs: immutable, addressed by digest. A cached blob is served from storage (with single ranges);
 * a missing one is downloaded once however many clients ask ({@link Downloads}), streamed to all of
 * them while it arrives, verified and committed. A blob is served through this repository only after
 * its upstream confirmed it for the image name (a manifest listing it, a download, or a HEAD).
 * Thread-safe.
 */
final class BlobHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BlobHandler.class);
    private static final int BUFFER = 64 * 1024;

    private final String repo;
    private final DockerStore store;
    private final Downloads downloads;
    private final UpstreamClient upstream;
    private final Duration headTimeout;

    BlobHandler(String repo, DockerStore store, Downloads downloads, UpstreamClient upstream, Duration headTimeout) {
        this.repo = repo;
        this.store = store;
        this.downloads = downloads;
        this.upstream = upstream;
        this.headTimeout = headTimeout;
    }

    void serve(String name, Digest digest, List<String> ranges, boolean head, HttpServletResponse response)
            throws IOException {
        String key = DockerStore.blobKey(digest);
        Storage storage = store.storage();
        Optional<Storage.Entry> entry = storage.get(key);
        if (entry.isPresent()) {
            confirm(name, digest);
            serveEntry(entry.get(), digest, ranges, head, response);
            return;
        }
        if (head) {
            headUpstream(name, digest, response);
            return;
        }
        if (!downloads.cacheWritable()) {
            passthrough(name, digest, ranges, response, 0, false);
            return;
        }
        String origin = repo + "/" + name;
        Download d = downloads.join(key, origin, () -> open(name, digest), digest.check(-1),
                () -> link(name, digest));
        if (!d.origin().equals(origin)) {
            // Someone else's download: share its bytes only once our upstream vouches for the blob.
            confirm(name, digest);
        }
        Download.Head h;
        try {
            h = d.awaitHead(headTimeout);
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "BLOB_UNKNOWN", "blob " + name + "@" + digest);
        } catch (CacheWriteException e) {
            passthrough(name, digest, ranges, response, 0, false);
            return;
        }
        ByteRange range = h.length() >= 0 ? ByteRange.parse(ranges, h.length()) : null;
        headers(response, digest);
        long start = 0;
        long end = -1;
        if (range == null) {
            response.setStatus(200);
            if (h.length() >= 0) {
                response.setContentLengthLong(h.length());
            }
        } else {
            response.setStatus(206);
            response.setHeader("Content-Range", range.contentRange(h.length()));
            response.setContentLengthLong(range.length());
            start = range.start();
            end = range.end();
        }
        // Headers go out as soon as upstream answered: containerd gives up after 30 s without them.
        response.flushBuffer();
        try {
            d.copyTo(response.getOutputStream(), start, end);
        } catch (DownloadFailedException e) {
            if (!e.cacheWriteFailed() || e.delivered() < 0) {
                throw e;
            }
            // The cache filled up under us, upstream is fine: finish this response straight from upstream.
            passthrough(name, digest, ranges, response, e.delivered(), true);
        }
    }

    private void serveEntry(Storage.Entry entry, Digest digest, List<String> ranges, boolean head,
            HttpServletResponse response) throws IOException {
        long size = entry.size();
        ByteRange range = ByteRange.parse(ranges, size);
        headers(response, digest);
        long start = 0;
        long end = size;
        if (range == null) {
            response.setStatus(200);
            response.setContentLengthLong(size);
        } else {
            response.setStatus(206);
            response.setHeader("Content-Range", range.contentRange(size));
            response.setContentLengthLong(range.length());
            start = range.start();
            end = range.end();
        }
        if (head) {
            return;
        }
        try (SeekableByteChannel ch = entry.open()) {
            copy(ch, start, end, response.getOutputStream());
        }
    }

    static void copy(SeekableByteChannel ch, long start, long end, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = start;
        ch.position(pos);
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf);
            if (n < 0) {
                throw new IOException("cached blob shorter than recorded");
            }
            out.write(buf.array(), 0, n);
            pos += n;
        }
    }

    private static void headers(HttpServletResponse response, Digest digest) {
        response.setContentType("application/octet-stream");
        response.setHeader("Docker-Content-Digest", digest.toString());
        response.setHeader("ETag", "\"" + digest + "\"");
        response.setHeader("Accept-Ranges", "bytes");
        response.setHeader("Cache-Control", "max-age=31536000, immutable");
    }

    /**
     * Serves the blob from upstream without caching it (the cache cannot be written), verified like a
     * download.
     *
     * @param skip bytes of the response body the client already has
     * @param headersSent whether status and headers were already sent (then only the body is written)
     */
    private void passthrough(String name, Digest digest, List<String> ranges, HttpServletResponse response, long skip,
            boolean headersSent) throws IOException {
        String what = "blob " + name + "@" + digest;
        try (UpstreamResponse r = upstream.send("GET", "/v2/" + name + "/blobs/" + digest, Map.of(),
                ManifestHandler.scope(name))) {
            UpstreamAnswers.requireOk(r, "BLOB_UNKNOWN", what);
            link(name, digest);
            long length = r.contentLength();
            long start = 0;
            long end = -1;
            ByteRange range = length >= 0 ? ByteRange.parse(ranges, length) : null;
            if (range != null) {
                start = range.start();
                end = range.end();
            }
            if (!headersSent) {
                headers(response, digest);
                if (range == null) {
                    response.setStatus(200);
                    if (length >= 0) {
                        response.setContentLengthLong(length);
                    }
                } else {
                    response.setStatus(206);
                    response.setHeader("Content-Range", range.contentRange(length));
                    response.setContentLengthLong(range.length());
                }
            }
            Passthrough.copy(r.body(), length, digest.check(-1), response.getOutputStream(), start + skip, end);
        } catch (UpstreamException e) {
            if (headersSent) {
                throw new DownloadFailedException("passing " + what + " through failed: " + e.getMessage(), e);
            }
            throw UpstreamAnswers.rethrow(e, "BLOB_UNKNOWN", what);
        }
    }

    /** HEAD of a blob that is not cached: ask upstream (HEAD), do not download (Harbor #22609). */
    private void headUpstream(String name, Digest digest, HttpServletResponse response) throws IOException {
        long length;
        String what = "blob " + name + "@" + digest;
        try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/blobs/" + digest, Map.of(),
                ManifestHandler.scope(name))) {
            UpstreamAnswers.requireOk(r, "BLOB_UNKNOWN", what);
            length = r.contentLength();
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "BLOB_UNKNOWN", what);
        }
        link(name, digest);
        headers(response, digest);
        response.setStatus(200);
        if (length >= 0) {
            response.setContentLengthLong(length);
        }
    }

    /** Makes sure this repository's upstream has vouched for the blob under {@code name}. */
    private void confirm(String name, Digest digest) throws IOException {
        if (store.linked(name, digest)) {
            return;
        }
        String what = "blob " + name + "@" + digest;
        try (UpstreamResponse r = upstream.send("HEAD", "/v2/" + name + "/blobs/" + digest, Map.of(),
                ManifestHandler.scope(name))) {
            UpstreamAnswers.requireOk(r, "BLOB_UNKNOWN", what);
        } catch (UpstreamException e) {
            throw UpstreamAnswers.rethrow(e, "BLOB_UNKNOWN", what);
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

    /** Opens the upstream GET of a blob for a download; runs on the download thread. */
    private UpstreamBody open(String name, Digest digest) throws IOException {
        UpstreamResponse r = upstream.send("GET", "/v2/" + name + "/blobs/" + digest, Map.of(),
                ManifestHandler.scope(name));
        try {
            if (r.status() != 200) {
                throw new UpstreamException(r.status(), r.header("Retry-After"),
                        "upstream answered HTTP " + r.status() + " for blob " + name + "@" + digest);
            }
            long length = r.contentLength();
            InputStream in = r.body();
            return new UpstreamBody() {
                @Override
                public long length() {
                    return length;
                }

                @Override
                public String contentType() {
                    return "application/octet-stream";
                }

                @Override
                public InputStream stream() {
                    return in;
                }

                @Override
                public void close() throws IOException {
                    r.close();
                }
            };
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }
}
