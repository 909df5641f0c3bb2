package io.binaryrepo.helm;

import io.binaryrepo.cache.CacheWriteException;
import io.binaryrepo.cache.DocumentTooLargeException;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.MutableDocuments.Document;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code index.yaml}: a document of the shared document cache (served within the repository's
 * {@code metadataTtl}, then revalidated with a conditional GET when upstream gave an ETag or
 * Last-Modified, the cached copy served when upstream fails). What is Helm's own: the document is stored
 * rewritten ({@link IndexRewriter}) and served with the request's public repository URL filled in
 * ({@link StoredIndex}); and it is the table of the charts this repository may fetch. Thread-safe.
 */
final class HelmIndex {
    private static final Logger LOG = LoggerFactory.getLogger(HelmIndex.class);
    private static final String DEFAULT_TYPE = "application/x-yaml";

    private final String repo;
    private final Documents documents;
    private final Resource.Document resource;
    private final IndexRewriter rewriter;
    private final int maxBytes;
    /** The scan of the document last served, with the body it was made from (one record: read together). */
    private volatile Scanned current;

    /** @param body the document's byte array or its {@link io.binaryrepo.cache.StoredBody}, compared by identity */
    private record Scanned(Object body, IndexView index) {
    }

    HelmIndex(String repo, Documents documents, MutableDocuments.Policy policy, UpstreamClient upstream) {
        this.repo = repo;
        this.documents = documents;
        this.maxBytes = policy.maxBytes();
        this.rewriter = new IndexRewriter(upstream.base());
        this.resource = new Resource.Document("helm/" + repo + "/index.yaml", policy,
                UpstreamDocuments.conditionalGetStreamed(h -> upstream.send("GET", "/index.yaml", h, null),
                        this::rewrite, "index.yaml"),
                d -> render(d, new byte[0]), failures());
    }

    /** {@code GET}/{@code HEAD index.yaml}, answered with {@code repositoryUrl} filled into chart URLs. */
    Resource.Document resource(String repositoryUrl) {
        byte[] url = repositoryUrl.getBytes(StandardCharsets.US_ASCII);
        return new Resource.Document(resource.key(), resource.policy(), resource.fetcher(), d -> render(d, url),
                resource.failures());
    }

    private Resource.Rendered render(Document d, byte[] url) throws IOException {
        IndexView index = index(d);
        String type = d.contentType() == null ? DEFAULT_TYPE : d.contentType();
        // Helm never revalidates; an intermediate cache must not keep the index longer than we do.
        Map<String, String> headers = Map.of("Cache-Control", "no-cache");
        long length = index.servedLength(url);
        return new Resource.Rendered() {
            @Override
            public String contentType() {
                return type;
            }

            @Override
            public Map<String, String> headers() {
                return headers;
            }

            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                index.writeTo(out, url);
            }
        };
    }

    /**
     * Looks a chart up in the current index (fetching or revalidating it when its TTL has passed).
     *
     * @throws ProxyError 404 when upstream has no index
     * @throws IOException when upstream fails and no index is cached
     */
    <T> Optional<T> lookup(Query<T> query) throws IOException {
        return query.apply(index(documents.current(resource)));
    }

    /** The index as cached now, fresh or not, without asking upstream (the admin API's names); empty if unreadable. */
    Optional<IndexView> cached() {
        Optional<Document> d = documents.peek(resource.key()).filter(x -> !x.missing());
        try {
            return d.isEmpty() ? Optional.empty() : Optional.of(index(d.get()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The storage key of the index document. */
    String key() {
        return resource.key();
    }

    /** A question to the current index. */
    @FunctionalInterface
    interface Query<T> {
        Optional<T> apply(IndexView index) throws IOException;
    }

    private IndexView index(Document d) throws IOException {
        Object body = d.stored() != null ? d.stored() : d.body();
        Scanned s = current;
        if (s != null && s.body() == body) {
            return s.index();
        }
        // Another document than the one scanned last (fetched, revalidated from disk, or reloaded after
        // the document cache evicted it): one linear scan, no YAML parsing. A document too large for memory
        // stays on disk and is read from there (issue 17).
        IndexView i = d.stored() != null ? StreamedIndex.of(d.stored()::open) : StoredIndex.of(d.body());
        current = new Scanned(body, i);
        return i;
    }

    private Failures failures() {
        return new Failures() {
            @Override
            public String what() {
                return "index.yaml";
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(404, "NOT_FOUND", "the upstream of repository '" + repo
                        + "' has no index.yaml (HTTP " + status + ")");
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(403, "DENIED", "the upstream of repository '" + repo
                        + "' denied access to index.yaml (check this repository's upstream credentials)");
            }
        };
    }

    /**
     * Rewrites a new index from upstream into its stored form, streaming into {@code out} (the document
     * cache's spool, which refuses more than the size limit).
     */
    private void rewrite(UpstreamResponse r, OutputStream out) throws IOException {
        long announced = r.contentLength();
        if (announced > maxBytes) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream index.yaml of " + announced
                    + " bytes exceeds the limit of " + maxBytes + " bytes", null);
        }
        long t0 = System.nanoTime();
        IndexRewriter.Stats stats;
        try {
            stats = rewriter.rewrite(r.body(), out);
        } catch (IndexRewriter.InvalidIndexException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream " + e.getMessage(), e);
        } catch (DocumentTooLargeException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream index.yaml exceeds the limit of "
                    + maxBytes + " bytes", e);
        } catch (UpstreamException | CacheWriteException e) {
            throw e;
        } catch (InterruptedIOException e) {
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, "upstream timed out sending index.yaml", e);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE,
                    "reading index.yaml from upstream failed: " + e.getClass().getSimpleName(), e);
        }
        LOG.info("repository {}: fetched index.yaml ({} entries, {} chart URLs rewritten, {} relative"
                + ", {} left as they were) in {} ms", repo, stats.entries(), stats.proxied(),
                stats.relative(), stats.foreign(), (System.nanoTime() - t0) / 1_000_000);
    }
}
