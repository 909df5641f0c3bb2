package io.binaryrepo.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.repo.ProxyError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutable documents of every format (Helm {@code index.yaml}, Go {@code @v/list}, npm packuments, PyPI
 * simple pages, ...): served from the cache within their TTL; after it, revalidated with a conditional
 * request when upstream gave validators ({@code ETag}, {@code Last-Modified}); the cached copy is served
 * when upstream fails in any way (stale if error). Authoritative "not found" answers are cached briefly
 * (negative caching: clients probe many paths that do not exist). Documents are size-capped, kept
 * whole in memory while served, and stored atomically as one file: a JSON header line, then the body.
 * Concurrent requests for one key make one upstream request. Thread-safe.
 */
public final class MutableDocuments {
    private static final Logger LOG = LoggerFactory.getLogger(MutableDocuments.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEADER = 16 * 1024;

    /**
     * A cached document.
     *
     * @param body the bytes as fetched (or as rewritten by the format before storing)
     * @param contentType upstream's content type, or null
     * @param etag upstream's ETag, or null
     * @param lastModified upstream's Last-Modified, or null
     * @param fetchedAt when upstream last confirmed it (epoch millis)
     * @param missingStatus 0 for a document; 404 or 410 for a cached "not found"
     */
    public record Document(byte[] body, String contentType, String etag, String lastModified, long fetchedAt,
            int missingStatus) {
        public boolean missing() {
            return missingStatus != 0;
        }

        Document at(long time) {
            return new Document(body, contentType, etag, lastModified, time, missingStatus);
        }
    }

    /** Upstream's answer to a (conditional) fetch. */
    public sealed interface Answer {
    }

    /** A new document. */
    public record Fetched(byte[] body, String contentType, String etag, String lastModified) implements Answer {
    }

    /** 304: the cached copy is still current. */
    public record NotModified() implements Answer {
    }

    /** Upstream says it does not exist (404 or 410): cached for the negative TTL. */
    public record Missing(int status) implements Answer {
    }

    /** Asks upstream; sends {@code If-None-Match}/{@code If-Modified-Since} when validators are given. */
    @FunctionalInterface
    public interface Fetcher {
        /**
         * @param etag the cached copy's ETag, or null
         * @param lastModified the cached copy's Last-Modified, or null
         * @throws IOException any failure; a cached copy is then served instead
         */
        Answer fetch(String etag, String lastModified) throws IOException;
    }

    /**
     * Freshness policy of one kind of document.
     *
     * @param ttl how long a document is served without asking upstream
     * @param negativeTtl how long a "not found" is remembered (zero: not at all)
     * @param maxBytes size cap; a larger document is refused
     */
    public record Policy(Duration ttl, Duration negativeTtl, int maxBytes) {
    }

    private final Storage storage;
    private final Clock clock;
    private final Coalescer<Document> inflight = new Coalescer<>();
    private final Map<String, Document> memory = new LinkedHashMap<>(64, 0.75f, true);
    private final long memoryBytes;
    private long memoryUsed;

    /** @param memoryBytes how many bytes of documents to keep in memory besides the disk */
    public MutableDocuments(Storage storage, Clock clock, long memoryBytes) {
        this.storage = storage;
        this.clock = clock;
        this.memoryBytes = memoryBytes;
    }

    /**
     * The current document for {@code key}: cached within the TTL, else asked from upstream (one request
     * however many callers), else the stale cached copy when upstream fails.
     *
     * @return the document; {@link Document#missing()} when upstream said it does not exist
     * @throws IOException when upstream fails and nothing is cached
     */
    public Document get(String key, Policy policy, Fetcher fetcher) throws IOException {
        Optional<Document> cached = load(key);
        long now = clock.millis();
        if (cached.isPresent()) {
            Document d = cached.get();
            Duration ttl = d.missing() ? policy.negativeTtl() : policy.ttl();
            if (now - d.fetchedAt() < ttl.toMillis()) {
                return d;
            }
        }
        try {
            return inflight.get(key, () -> {
                // A caller that missed just as another one's refresh finished finds that result here
                // instead of asking upstream a second time.
                Optional<Document> now2 = load(key);
                if (now2.isPresent() && clock.millis() - now2.get().fetchedAt()
                        < (now2.get().missing() ? policy.negativeTtl() : policy.ttl()).toMillis()) {
                    return now2.get();
                }
                return refresh(key, cached.filter(d -> !d.missing()).orElse(null), policy, fetcher);
            });
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProxyError pe && pe.status() < 500 && pe.status() != 429) {
                throw e;
            }
            if (cached.isPresent()) {
                // Stale if error, for "not found" answers too: a client probing paths (go get) should keep
                // getting the 404 it got before, not a 502, while upstream is down.
                LOG.warn("serving cached {} (fetched {} s ago): upstream failed: {}", key,
                        (now - cached.get().fetchedAt()) / 1000, e.getMessage());
                return cached.get();
            }
            throw e;
        }
    }

    /** Drops a document (e.g. the format found it unusable). */
    public void invalidate(String key) throws IOException {
        synchronized (memory) {
            Document d = memory.remove(key);
            if (d != null) {
                memoryUsed -= d.body().length;
            }
        }
        storage.delete(key);
    }

    private Document refresh(String key, Document cached, Policy policy, Fetcher fetcher) throws IOException {
        Answer a = fetcher.fetch(cached == null ? null : cached.etag(), cached == null ? null : cached.lastModified());
        long now = clock.millis();
        Document d;
        if (a instanceof NotModified) {
            if (cached == null) {
                throw new IOException("upstream answered 304 to an unconditional request for " + key);
            }
            d = cached.at(now);
        } else if (a instanceof Missing m) {
            d = new Document(new byte[0], null, null, null, now, m.status());
            if (policy.negativeTtl().isZero()) {
                return d;
            }
        } else {
            Fetched f = (Fetched) a;
            if (f.body().length > policy.maxBytes()) {
                throw new IOException(key + " is larger than the limit of " + policy.maxBytes() + " bytes");
            }
            d = new Document(f.body(), f.contentType(), f.etag(), f.lastModified(), now, 0);
        }
        store(key, d);
        return d;
    }

    private Optional<Document> load(String key) throws IOException {
        synchronized (memory) {
            Document d = memory.get(key);
            if (d != null) {
                return Optional.of(d);
            }
        }
        Optional<byte[]> raw;
        try {
            raw = storage.read(key, Integer.MAX_VALUE - 16);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = raw.get();
        int nl = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_HEADER); i++) {
            if (bytes[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            return Optional.empty(); // damaged: a miss, upstream is asked again
        }
        try {
            JsonNode h = JSON.readTree(new String(bytes, 0, nl, StandardCharsets.UTF_8));
            Document d = new Document(Arrays.copyOfRange(bytes, nl + 1, bytes.length), text(h, "contentType"),
                    text(h, "etag"), text(h, "lastModified"), h.path("fetchedAt").asLong(), h.path("missing").asInt());
            remember(key, d);
            return Optional.of(d);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void store(String key, Document d) throws IOException {
        ObjectNode h = JSON.createObjectNode();
        h.put("contentType", d.contentType());
        h.put("etag", d.etag());
        h.put("lastModified", d.lastModified());
        h.put("fetchedAt", d.fetchedAt());
        h.put("missing", d.missingStatus());
        byte[] header = JSON.writeValueAsBytes(h);
        byte[] all = new byte[header.length + 1 + d.body().length];
        System.arraycopy(header, 0, all, 0, header.length);
        all[header.length] = '\n';
        System.arraycopy(d.body(), 0, all, header.length + 1, d.body().length);
        try {
            storage.put(key, all);
        } catch (IOException e) {
            // A full disk must not fail the request: the document is still served from memory.
            LOG.warn("could not store {}: {}", key, e.getMessage());
        }
        remember(key, d);
    }

    private void remember(String key, Document d) {
        synchronized (memory) {
            Document old = memory.put(key, d);
            memoryUsed += d.body().length - (old == null ? 0 : old.body().length);
            var it = memory.values().iterator();
            while (memoryUsed > memoryBytes && it.hasNext()) {
                memoryUsed -= it.next().body().length;
                it.remove();
            }
        }
    }

    private static String text(JsonNode h, String field) {
        JsonNode v = h.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
