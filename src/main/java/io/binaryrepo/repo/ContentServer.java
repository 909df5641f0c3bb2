package io.binaryrepo.repo;

import io.binaryrepo.cache.CacheWriteException;
import io.binaryrepo.cache.Download;
import io.binaryrepo.cache.DownloadFailedException;
import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.DownloadsBusyException;
import io.binaryrepo.cache.Passthrough;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.UpstreamBody;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Serves {@link Resource.Content} for every format: from the cache when it is there (or a 307 to the
 * entry's {@link Storage.Entry#redirect() redirect URL}, a presigned object-store GET, when it has one), else through one shared
 * {@link Download} per key that every waiting client streams from, verified before it is committed;
 * straight from upstream ({@link Passthrough}) when the cache cannot be written. Single byte ranges are
 * honoured. A HEAD of uncached content asks upstream with a HEAD (Harbor #22609: never download for a
 * HEAD). Thread-safe.
 */
final class ContentServer {
    /** Longest wait for a verify-first download; past it the answer streams as usual. */
    private static final Duration VERIFY_WAIT = Duration.ofMinutes(10);

    private final Storage storage;
    private final Downloads downloads;
    private final Duration headTimeout;
    private final RequestEvents events;

    /**
     * @param headTimeout longest wait for upstream's response headers of a download
     * @param events where each request's outcome and bytes are reported
     */
    ContentServer(Storage storage, Downloads downloads, Duration headTimeout, RequestEvents events) {
        this.storage = storage;
        this.downloads = downloads;
        this.headTimeout = headTimeout;
        this.events = events;
    }

    void serve(Resource.Content c, ClientRequest request, Reply reply) throws IOException {
        List<String> ranges = request.headers("Range");
        try {
            Optional<Storage.Entry> entry = storage.get(c.key());
            if (entry.isPresent()) {
                c.guard().check();
                serveCached(entry.get(), c, ranges, request.isHead(), reply);
                return;
            }
            Resource.Fetch fetch = c.miss().plan();
            if (request.isHead()) {
                serveHead(c, fetch, reply);
            } else {
                serveMiss(c, fetch, ranges, reply);
            }
        } catch (UpstreamException e) {
            throw c.failures().map(e);
        }
    }

    private void serveCached(Storage.Entry entry, Resource.Content c, List<String> ranges, boolean head, Reply reply)
            throws IOException {
        ByteRange range = ByteRange.parse(ranges, entry.size());
        if (!head && reply.offload(entry)) {
            // The frontend sends the file with its own Range handling; only committed, verified content
            // from the cache root is ever offloaded, so clients cannot name cache files themselves.
            reply.status(200);
            reply.contentType(c.contentType());
            c.headers().forEach(reply::header);
            reply.header("Accept-Ranges", "bytes");
            events.served(true, range == null ? entry.size() : range.length());
            events.outcome(RequestEvents.Outcome.HIT);
            return;
        }
        Optional<java.net.URI> redirect = head ? Optional.empty() : entry.redirect();
        if (redirect.isPresent()) {
            // The object store sends the bytes (binaryrepo.storage.s3.redirect): a presigned URL carries its own
            // short-lived signature in the query, so the client's Authorization is never needed there, and
            // clients drop it on a redirect to another host. The client sends its Range there itself.
            reply.status(307);
            reply.header("Location", redirect.get().toString());
            c.headers().forEach(reply::header);
            reply.header("Cache-Control", "no-store");
            reply.contentLength(0);
            events.served(true, range == null ? entry.size() : range.length());
            events.outcome(RequestEvents.Outcome.HIT);
            return;
        }
        long[] span = headers(reply, c, entry.size(), range);
        if (!head) {
            reply.send(entry, span[0], span[1]);
            events.served(true, span[1] - span[0]);
        }
        events.outcome(RequestEvents.Outcome.HIT);
    }

    /** HEAD of content that is not cached: upstream's answer to a HEAD, with the headers a GET would have. */
    private void serveHead(Resource.Content c, Resource.Fetch fetch, Reply reply) throws IOException {
        long length;
        try (UpstreamResponse r = fetch.call().send("HEAD")) {
            if (r.status() != 200) {
                throw r.failure(c.failures().what());
            }
            length = r.contentLength();
        }
        headers(reply, c, length, null);
        events.outcome(RequestEvents.Outcome.MISS);
    }

    private void serveMiss(Resource.Content c, Resource.Fetch fetch, List<String> ranges, Reply reply)
            throws IOException {
        // A malformed Range is refused before anything is asked of upstream (the size is not known yet,
        // so only the syntax can be checked here).
        ByteRange.parse(ranges, Long.MAX_VALUE);
        Download.Source source = () -> UpstreamBodies.open(fetch, c.contentType(), c.failures().what());
        if (!downloads.cacheWritable()) {
            passthrough(c, fetch, source, ranges, reply, 0, false);
            events.outcome(RequestEvents.Outcome.PASSTHROUGH);
            return;
        }
        Downloads.Joined joined = downloads.joinOrStart(c.key(), c.origin(), source, fetch.check(), () -> { });
        Download d = joined.download();
        if (!d.origin().equals(c.origin())) {
            // Someone else's download: share its bytes only once this repository may see them.
            try {
                c.guard().check();
            } catch (IOException | RuntimeException e) {
                d.leave(); // this client will not read: the download may be abandoned if nobody else does
                throw e;
            }
        }
        events.waiters(1);
        try {
            streamDownload(c, fetch, source, ranges, reply, d, joined.started());
        } finally {
            events.waiters(-1);
        }
    }

    private void streamDownload(Resource.Content c, Resource.Fetch fetch, Download.Source source,
            List<String> ranges, Reply reply, Download d, boolean started) throws IOException {
        Download.Head h;
        try {
            h = d.awaitHead(headTimeout);
        } catch (CacheWriteException e) {
            passthrough(c, fetch, source, ranges, reply, 0, false);
            events.outcome(RequestEvents.Outcome.PASSTHROUGH);
            return;
        } catch (SocketTimeoutException e) {
            // awaitHead has released this client
            throw new ProxyError(504, "UNAVAILABLE", "upstream did not answer within " + headTimeout.toSeconds()
                    + " s for " + c.failures().what());
        } catch (DownloadsBusyException e) {
            throw new ProxyError(503, "UNAVAILABLE", e.getMessage(), Map.of("Retry-After", "5"));
        }
        if (c.verifyFirst()) {
            try {
                awaitVerified(c, d);
            } catch (CacheWriteException e) {
                passthrough(c, fetch, source, ranges, reply, 0, false);
                return;
            }
        }
        ByteRange range;
        try {
            range = h.length() >= 0 ? ByteRange.parse(ranges, h.length()) : null;
        } catch (ProxyError e) {
            d.leave(); // 416: this client reads nothing
            throw e;
        }
        long[] span = headers(reply, c, h.length(), range);
        if (h.check() != null) {
            c.checkHeaders().apply(h.check()).forEach(reply::header);
        }
        // Headers go out as soon as upstream answered: containerd gives up after 30 s without them.
        reply.flush();
        try {
            d.copyTo(reply.body(), span[0], span[1]);
            if (span[1] >= 0) {
                events.served(false, span[1] - span[0]);
            }
        } catch (DownloadFailedException e) {
            if (!e.cacheWriteFailed() || e.delivered() < 0) {
                throw e;
            }
            // The cache filled up under us, upstream is fine: finish this response straight from upstream.
            events.served(false, e.delivered());
            passthrough(c, fetch, source, ranges, reply, e.delivered(), true);
        }
        events.outcome(started ? RequestEvents.Outcome.MISS : RequestEvents.Outcome.COALESCED);
    }

    /** For {@link Resource.Content#verifyFirst()}: the answer starts only once the content is committed. */
    private static void awaitVerified(Resource.Content c, Download d) throws IOException {
        try {
            d.awaitEnd(VERIFY_WAIT);
        } catch (UpstreamException | CacheWriteException e) {
            throw e;
        } catch (IOException e) {
            // the content failed its check (or upstream broke off): nothing was sent, so say so with a status
            throw new ProxyError(502, "UNAVAILABLE", "upstream sent " + c.failures().what() + " that failed "
                    + "verification; not cached: " + e.getMessage());
        }
    }

    /**
     * Streams the content from upstream without caching it, verified as a download would be.
     *
     * @param skip body bytes the client already has
     * @param headersSent whether status and headers are already out (then only the body is written)
     */
    private void passthrough(Resource.Content c, Resource.Fetch fetch, Download.Source source, List<String> ranges,
            Reply reply, long skip, boolean headersSent) throws IOException {
        try (UpstreamBody body = source.open()) {
            long length = body.length();
            ByteRange range = length >= 0 ? ByteRange.parse(ranges, length) : null;
            long start = range == null ? 0 : range.start();
            long end = range == null ? -1 : range.end();
            if (!headersSent) {
                headers(reply, c, length, range);
            }
            Passthrough.copy(body.stream(), length, body.check(fetch.check()), reply.body(), start + skip, end);
            long sent = end >= 0 ? end - start - skip : length >= 0 ? length - start - skip : 0;
            events.served(false, sent);
        } catch (UpstreamException e) {
            if (headersSent) {
                throw new DownloadFailedException("passing " + c.key() + " through failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Sets status and headers; returns the body span {@code [start, end)} (end -1: to the end). */
    private static long[] headers(Reply reply, Resource.Content c, long size, ByteRange range) {
        reply.contentType(c.contentType());
        c.headers().forEach(reply::header);
        reply.header("Accept-Ranges", "bytes");
        if (range == null) {
            reply.status(200);
            if (size >= 0) {
                reply.contentLength(size);
            }
            return new long[] {0, size >= 0 ? size : -1};
        }
        reply.status(206);
        reply.header("Content-Range", range.contentRange(size));
        reply.contentLength(range.length());
        return new long[] {range.start(), range.end()};
    }
}
