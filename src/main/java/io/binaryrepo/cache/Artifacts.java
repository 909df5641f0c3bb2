package io.binaryrepo.cache;

import io.binaryrepo.upstream.UpstreamException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves immutable content (Docker blobs, Helm charts, Go module zips, ...) for every format: from the
 * cache when it is there, else through one shared {@link Download} per key that every waiting client
 * streams from, verified before it is committed; straight from upstream ({@link Passthrough}) when the
 * cache cannot be written. Single byte ranges are honoured. Formats add what is theirs (paths, access
 * checks, error codes) around it. Thread-safe.
 */
public final class Artifacts {
    private static final int BUFFER = 64 * 1024;
    private static final String TOMCAT_SENDFILE_SUPPORT = "org.apache.tomcat.sendfile.support";
    /** Below this a plain copy is as cheap as setting up sendfile (Tomcat's own default threshold). */
    private static final long SENDFILE_MIN = 48 * 1024;

    /** The nginx {@code internal} location that aliases the cache root (scripts/frontend-nginx.conf.tmpl). */
    public static final String NGINX_OFFLOAD_LOCATION = "/_binaryrepo_cache/";

    /** Who sends cached files: binaryrepo itself, or the frontend in front of it. */
    public enum Offload {
        /** binaryrepo sends them (Tomcat's sendfile, Jetty's mapped writes, or a copy loop). */
        NONE,
        /** {@code X-Accel-Redirect: /_binaryrepo_cache/<key>}: the nginx frontend aliases that internal location. */
        NGINX,
        /** {@code X-Sendfile: <absolute path>}: Apache httpd's mod_xsendfile with {@code XSendFilePath} the cache root. */
        APACHE
    }

    private final Storage storage;
    private final Downloads downloads;
    private final Offload offload;

    public Artifacts(Storage storage, Downloads downloads) {
        this(storage, downloads, Offload.NONE);
    }

    /** @param offload whether a frontend sends cached files (see {@link Offload}) */
    public Artifacts(Storage storage, Downloads downloads, Offload offload) {
        this.storage = storage;
        this.downloads = downloads;
        this.offload = offload;
    }

    /**
     * What is asked for.
     *
     * @param key storage key of the content
     * @param contentType the {@code Content-Type} to answer with
     * @param headers more response headers (digest, ETag, caching)
     * @param ranges the request's {@code Range} headers
     * @param head whether to answer without a body
     * @param servletRequest the client's request, for container features (zero-copy sendfile); may be null
     */
    public record Request(String key, String contentType, Map<String, String> headers, List<String> ranges,
            boolean head, HttpServletRequest servletRequest) {
    }

    /** How a miss reaches upstream. */
    public interface Fetch {
        /** Who fetches (joined downloads from another origin need {@link #confirmOtherOrigin}). */
        Object origin();

        /** What the content must be to be committed (or passed through). */
        ContentCheck check();

        /**
         * Opens the upstream GET; throws (for example an {@link UpstreamException} with the status) when
         * upstream does not answer 200. Called on a download thread, or on the request thread for a
         * passthrough.
         */
        UpstreamBody open() throws IOException;

        /** Runs after the content was committed (on the download thread). */
        default void afterCommit() {
        }

        /**
         * Called before streaming another origin's download: throw if this origin may not see the content.
         */
        default void confirmOtherOrigin() throws IOException {
        }

        /** Longest wait for upstream's response headers. */
        Duration headTimeout();
    }

    /** The cached entry for {@code key}, if any. */
    public Optional<Storage.Entry> cached(String key) throws IOException {
        return storage.get(key);
    }

    /** Serves a cached entry (see {@link #cached}). */
    public void serveCached(Storage.Entry entry, Request r, HttpServletResponse response) throws IOException {
        long size = entry.size();
        ByteRange range = ByteRange.parse(r.ranges(), size);
        if (offload != Offload.NONE && !r.head() && entry.file().isPresent()) {
            // The frontend sends the file (sendfile, its own Range handling) with the headers set here. Only
            // committed, verified content is ever offloaded, and only from the cache root (nginx: an
            // internal location; Apache: XSendFilePath), so clients cannot name cache files themselves.
            response.setStatus(200);
            response.setContentType(r.contentType());
            r.headers().forEach(response::setHeader);
            response.setHeader("Accept-Ranges", "bytes");
            if (offload == Offload.NGINX) {
                response.setHeader("X-Accel-Redirect", NGINX_OFFLOAD_LOCATION + r.key());
            } else {
                response.setHeader("X-Sendfile", entry.file().get().toAbsolutePath().toString());
            }
            response.setContentLength(0);
            return;
        }
        long[] span = headers(response, r, size, range);
        if (r.head()) {
            return;
        }
        if (sendfile(entry, r, span)) {
            return;
        }
        if (MappedContent.send(entry, span[0], span[1], response)) {
            return;
        }
        try (SeekableByteChannel ch = entry.open()) {
            copy(ch, span[0], span[1], response.getOutputStream());
        }
    }

    /**
     * Serves content that is not cached: joins (or starts) the shared download of {@code r.key()}, or
     * passes the content through when the cache cannot be written. HEAD is not handled here.
     *
     * @throws UpstreamException when upstream refuses before anything was sent (the caller maps the status)
     * @throws DownloadFailedException when the content turned out broken after the response started
     */
    public void serveMiss(Request r, Fetch fetch, HttpServletResponse response) throws IOException {
        // A malformed Range is refused before anything is asked of upstream (the size is not known yet,
        // so only the syntax can be checked here).
        ByteRange.parse(r.ranges(), Long.MAX_VALUE);
        if (!downloads.cacheWritable()) {
            passthrough(r, fetch, response, 0, false);
            return;
        }
        Download d = downloads.join(r.key(), fetch.origin(), fetch::open, fetch.check(), fetch::afterCommit);
        if (!d.origin().equals(fetch.origin())) {
            fetch.confirmOtherOrigin();
        }
        Download.Head h;
        try {
            h = d.awaitHead(fetch.headTimeout());
        } catch (CacheWriteException e) {
            passthrough(r, fetch, response, 0, false);
            return;
        }
        ByteRange range = h.length() >= 0 ? ByteRange.parse(r.ranges(), h.length()) : null;
        long[] span = headers(response, r, h.length(), range);
        // Headers go out as soon as upstream answered: containerd gives up after 30 s without them.
        response.flushBuffer();
        try {
            d.copyTo(response.getOutputStream(), span[0], span[1]);
        } catch (DownloadFailedException e) {
            if (!e.cacheWriteFailed() || e.delivered() < 0) {
                throw e;
            }
            // The cache filled up under us, upstream is fine: finish this response straight from upstream.
            passthrough(r, fetch, response, e.delivered(), true);
        }
    }

    /**
     * Streams the content from upstream without caching it, verified as a download would be.
     *
     * @param skip body bytes the client already has
     * @param headersSent whether status and headers are already out (then only the body is written)
     */
    private void passthrough(Request r, Fetch fetch, HttpServletResponse response, long skip, boolean headersSent)
            throws IOException {
        try (UpstreamBody body = fetch.open()) {
            long length = body.length();
            ByteRange range = length >= 0 ? ByteRange.parse(r.ranges(), length) : null;
            long start = range == null ? 0 : range.start();
            long end = range == null ? -1 : range.end();
            if (!headersSent) {
                headers(response, r, length, range);
            }
            Passthrough.copy(body.stream(), length, fetch.check(), response.getOutputStream(), start + skip, end);
        } catch (UpstreamException e) {
            if (headersSent) {
                throw new DownloadFailedException("passing " + r.key() + " through failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Hands a cached file to Tomcat's sendfile (NIO connector, {@code useSendfile}, the default): the kernel
     * copies file to socket, the JVM touches no byte. Tomcat announces support with a request attribute;
     * other containers get the copy loop. See Tomcat's "Advanced IO" documentation.
     */
    private static boolean sendfile(Storage.Entry entry, Request r, long[] span) {
        HttpServletRequest req = r.servletRequest();
        if (req == null || !Boolean.TRUE.equals(req.getAttribute(TOMCAT_SENDFILE_SUPPORT)) || entry.file().isEmpty()
                || span[1] - span[0] < SENDFILE_MIN) {
            return false;
        }
        req.setAttribute("org.apache.tomcat.sendfile.filename", entry.file().get().toAbsolutePath().toString());
        req.setAttribute("org.apache.tomcat.sendfile.start", span[0]);
        req.setAttribute("org.apache.tomcat.sendfile.end", span[1]);
        return true;
    }

    /**
     * Answers a HEAD for content that is not cached, from what upstream said of it (its length, or -1),
     * with the same headers a GET would have.
     */
    public void serveHead(Request r, long length, HttpServletResponse response) {
        headers(response, r, length, null);
    }

    /** Sets status and headers; returns the body span {@code [start, end)} (end -1: to the end). */
    private static long[] headers(HttpServletResponse response, Request r, long size, ByteRange range) {
        response.setContentType(r.contentType());
        r.headers().forEach(response::setHeader);
        response.setHeader("Accept-Ranges", "bytes");
        if (range == null) {
            response.setStatus(200);
            if (size >= 0) {
                response.setContentLengthLong(size);
            }
            return new long[] {0, size >= 0 ? size : -1};
        }
        response.setStatus(206);
        response.setHeader("Content-Range", range.contentRange(size));
        response.setContentLengthLong(range.length());
        return new long[] {range.start(), range.end()};
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
                throw new IOException("cached entry shorter than recorded");
            }
            out.write(buf.array(), 0, n);
            pos += n;
        }
    }
}
