package io.binaryrepo.helm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.MutableDocuments.Document;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code index.yaml}: a mutable document kept by the shared {@link MutableDocuments} (served within the
 * repository's {@code metadataTtl}, then revalidated with a conditional GET when upstream gave an ETag
 * or Last-Modified, the cached copy served when upstream fails). What is Helm's own: the document is
 * stored rewritten ({@link IndexRewriter}) and served with the request's public repository URL filled
 * in ({@link StoredIndex}); and it is the table of the charts this repository may fetch. Thread-safe.
 */
final class IndexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IndexHandler.class);
    private static final String DEFAULT_TYPE = "application/x-yaml";

    private final String repo;
    private final String key;
    private final MutableDocuments documents;
    private final MutableDocuments.Policy policy;
    private final UpstreamClient upstream;
    private final IndexRewriter rewriter;
    /** The scan of the document last served; rebuilt when the document cache hands out another one. */
    private volatile StoredIndex current;
    private volatile byte[] currentBody;

    IndexHandler(String repo, MutableDocuments documents, MutableDocuments.Policy policy, UpstreamClient upstream) {
        this.repo = repo;
        this.key = "helm/" + repo + "/index.yaml";
        this.documents = documents;
        this.policy = policy;
        this.upstream = upstream;
        this.rewriter = new IndexRewriter(upstream.base());
    }

    /** Answers {@code GET}/{@code HEAD index.yaml}. */
    void serve(String repositoryUrl, boolean head, HttpServletResponse response) throws IOException {
        Document d = document();
        StoredIndex index = index(d);
        byte[] url = repositoryUrl.getBytes(StandardCharsets.US_ASCII);
        response.setStatus(200);
        response.setContentType(d.contentType() == null ? DEFAULT_TYPE : d.contentType());
        // Helm never revalidates; an intermediate cache must not keep the index longer than we do.
        response.setHeader("Cache-Control", "no-cache");
        response.setContentLengthLong(index.servedLength(url));
        if (!head) {
            index.writeTo(response.getOutputStream(), url);
        }
    }

    /**
     * Looks a chart up in the current index (fetching or revalidating it when its TTL has passed).
     *
     * @throws ProxyError 404 when upstream has no index
     * @throws IOException when upstream fails and no index is cached
     */
    <T> Optional<T> lookup(Function<StoredIndex, Optional<T>> query) throws IOException {
        return query.apply(index(document()));
    }

    private Document document() throws IOException {
        Document d = documents.get(key, policy, this::fetch);
        if (d.missing()) {
            throw new ProxyError(404, "NOT_FOUND", "the upstream of repository '" + repo + "' has no index.yaml (HTTP "
                    + d.missingStatus() + ")");
        }
        return d;
    }

    private StoredIndex index(Document d) {
        byte[] body = d.body();
        StoredIndex i = current;
        if (i != null && currentBody == body) {
            return i;
        }
        // Another document than the one scanned last (fetched, revalidated from disk, or reloaded after
        // the document cache evicted it): one linear scan, no YAML parsing.
        i = StoredIndex.of(body);
        current = i;
        currentBody = body;
        return i;
    }

    /** Asks upstream for index.yaml (conditionally when validators are given) and rewrites a new one. */
    private MutableDocuments.Answer fetch(String etag, String lastModified) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        if (lastModified != null) {
            headers.put("If-Modified-Since", lastModified);
        }
        try (UpstreamResponse r = upstream.send("GET", "/index.yaml", headers, null)) {
            int s = r.status();
            if (s == 304) {
                LOG.debug("repository {}: index.yaml not modified upstream", repo);
                return new MutableDocuments.NotModified();
            }
            if (s == 404 || s == 410) {
                return new MutableDocuments.Missing(s);
            }
            if (s != 200) {
                throw r.failure("index.yaml");
            }
            long announced = r.contentLength();
            if (announced > policy.maxBytes()) {
                throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream index.yaml of " + announced
                        + " bytes exceeds the limit of " + policy.maxBytes() + " bytes", null);
            }
            long t0 = System.nanoTime();
            Bounded out = new Bounded(policy.maxBytes());
            IndexRewriter.Stats stats;
            try {
                stats = rewriter.rewrite(r.body(), out);
            } catch (IndexRewriter.InvalidIndexException e) {
                throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream " + e.getMessage(), e);
            } catch (UpstreamException e) {
                throw e;
            } catch (InterruptedIOException e) {
                throw new UpstreamException(UpstreamException.Kind.TIMEOUT, "upstream timed out sending index.yaml", e);
            } catch (IOException e) {
                throw new UpstreamException(UpstreamException.Kind.UNREACHABLE,
                        "reading index.yaml from upstream failed: " + e.getClass().getSimpleName(), e);
            }
            byte[] body = out.toByteArray();
            LOG.info("repository {}: fetched index.yaml ({} bytes, {} entries, {} chart URLs rewritten, {} relative"
                    + ", {} left as they were) in {} ms", repo, body.length, stats.entries(), stats.proxied(),
                    stats.relative(), stats.foreign(), (System.nanoTime() - t0) / 1_000_000);
            return new MutableDocuments.Fetched(body, r.header("Content-Type"), r.header("ETag"), r.header("Last-Modified"));
        }
    }

    /**
     * The stored form as it is written, refused beyond the size limit. Kept in 1 MiB chunks so that a
     * large index is never copied while it grows: the only copy is the final array. Not thread-safe.
     */
    private static final class Bounded extends OutputStream {
        private static final int CHUNK = 1024 * 1024;

        private final int max;
        private final List<byte[]> chunks = new ArrayList<>();
        private byte[] last;
        private int lastUsed;
        private long count;

        Bounded(int max) {
            this.max = max;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (count + len > max) {
                throw new UpstreamException(UpstreamException.Kind.INVALID,
                        "upstream index.yaml exceeds the limit of " + max + " bytes", null);
            }
            while (len > 0) {
                if (last == null || lastUsed == last.length) {
                    last = new byte[CHUNK];
                    lastUsed = 0;
                    chunks.add(last);
                }
                int n = Math.min(len, last.length - lastUsed);
                System.arraycopy(b, off, last, lastUsed, n);
                lastUsed += n;
                off += n;
                len -= n;
                count += n;
            }
        }

        byte[] toByteArray() {
            byte[] all = new byte[(int) count];
            int at = 0;
            for (byte[] c : chunks) {
                int n = (int) Math.min(c.length, count - at);
                System.arraycopy(c, 0, all, at, n);
                at += n;
            }
            return all;
        }
    }
}
