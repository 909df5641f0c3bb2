package io.binaryrepo.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutable documents of every format (Docker tags and manifests, Helm {@code index.yaml}, Go {@code @v/list},
 * ...): served from the cache within their TTL; after it, revalidated through the caller's {@link Fetcher}
 * (a conditional request when upstream gave validators); the cached copy is served when upstream fails
 * with an {@link IOException} (stale if error). Authoritative "not found" answers are remembered for the
 * negative TTL, in memory only ({@link DocumentMemory}: bounded, never written to disk, so probes of names
 * that do not exist cost no disk and no unbounded memory). Documents are size-capped and stored atomically
 * as one entry: a JSON header line, then the body. Concurrent requests for one key make one upstream
 * request. Thread-safe.
 */
public final class MutableDocuments {
    private static final Logger LOG = LoggerFactory.getLogger(MutableDocuments.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEADER = 16 * 1024;
    /** Largest stored document read back; larger entries are treated as damaged (a miss). */
    private static final int MAX_STORED = 512 * 1024 * 1024;

    /**
     * A cached document.
     *
     * @param body the bytes as fetched (or as rewritten by the format before storing); null when the document
     *     is kept on disk only ({@code stored}); read it through {@link #body()}
     * @param contentType upstream's content type, or null
     * @param etag upstream's ETag, or null
     * @param lastModified upstream's Last-Modified, or null
     * @param fetchedAt when upstream last confirmed it (epoch millis)
     * @param missingStatus 0 for a document; 404 or 410 for a cached "not found"
     * @param headers upstream response headers the format asked to keep with the document (a {@code Link},
     *     {@code OCI-Filters-Applied}); small
     * @param stored for a large document that a {@link Streamed} fetch wrote: its body on disk, read by every
     *     use (never held in memory); null when {@code body} holds it
     */
    public record Document(byte[] body, String contentType, String etag, String lastModified, long fetchedAt,
            int missingStatus, Map<String, String> headers, StoredBody stored) {
        public Document {
            headers = Map.copyOf(headers);
            if ((body == null) == (stored == null)) {
                throw new IllegalArgumentException("a document has either its bytes or a stored body");
            }
        }

        public Document(byte[] body, String contentType, String etag, String lastModified, long fetchedAt,
                int missingStatus, Map<String, String> headers) {
            this(body, contentType, etag, lastModified, fetchedAt, missingStatus, headers, null);
        }

        public Document(byte[] body, String contentType, String etag, String lastModified, long fetchedAt,
                int missingStatus) {
            this(body, contentType, etag, lastModified, fetchedAt, missingStatus, Map.of());
        }

        /**
         * The bytes of a document held in memory.
         *
         * @throws IllegalStateException for a document kept on disk ({@link #stored()} is not null): only formats
         *     that fetch with {@link Streamed} get those, and they read {@link #stored()}
         */
        @Override
        public byte[] body() {
            if (body == null) {
                throw new IllegalStateException("document of " + stored.length() + " bytes is kept on disk only");
            }
            return body;
        }

        public boolean missing() {
            return missingStatus != 0;
        }

        /** Bytes of body this document holds in memory (0 for a stored one). */
        long memoryBytes() {
            return body == null ? 0 : body.length;
        }

        Document at(long time) {
            return new Document(body, contentType, etag, lastModified, time, missingStatus, headers, stored);
        }
    }

    /** Upstream's answer to a (conditional) fetch. */
    public sealed interface Answer {
    }

    /** A new document, with the upstream headers to keep beside it (see {@link Document#headers()}). */
    public record Fetched(byte[] body, String contentType, String etag, String lastModified,
            Map<String, String> headers) implements Answer {
        public Fetched {
            headers = Map.copyOf(headers);
        }

        public Fetched(byte[] body, String contentType, String etag, String lastModified) {
            this(body, contentType, etag, lastModified, Map.of());
        }
    }

    /** 304: the cached copy is still current. */
    public record NotModified() implements Answer {
    }

    /** Upstream says it does not exist (404 or 410): remembered for the negative TTL. */
    public record Missing(int status) implements Answer {
    }

    /**
     * A new document the fetcher wrote into the {@link Spool} it was given (for documents that may be too
     * large to hold: a Helm index of up to 256 MiB). One larger than a quarter of the memory budget is kept on
     * disk only and read from there by every request ({@link Document#stored()}); a smaller one is read back
     * and held like any other.
     */
    public record Streamed() implements Answer {
    }

    /** Where a fetcher that answers {@link Streamed} writes the new document. Used by one thread. */
    public interface Spool {
        /**
         * Starts the stored document with upstream's metadata and returns the stream its body goes to; called at
         * most once. The stream refuses more than the policy's {@code maxBytes} with a
         * {@link DocumentTooLargeException}; the caller does not close it.
         */
        java.io.OutputStream open(String contentType, String etag, String lastModified, Map<String, String> headers)
                throws IOException;
    }

    /** Asks upstream; sends {@code If-None-Match}/{@code If-Modified-Since} when validators are given. */
    @FunctionalInterface
    public interface Fetcher {
        /**
         * @param etag the cached copy's ETag, or null
         * @param lastModified the cached copy's Last-Modified, or null
         * @throws IOException a failure; a cached copy is then served instead
         * @throws RuntimeException a definitive answer for the client (e.g. a refusal): passed on, never
         *     hidden by a stale copy
         */
        Answer fetch(String etag, String lastModified) throws IOException;

        /**
         * As {@link #fetch(String, String)}, with a {@link Spool} a new document may be written to (then the
         * answer is {@link Streamed}). Called for cached policies; the default ignores the spool.
         */
        default Answer fetch(String etag, String lastModified, Spool spool) throws IOException {
            return fetch(etag, lastModified);
        }
    }

    /**
     * Freshness policy of one kind of document.
     *
     * @param ttl how long a document is served without asking upstream
     * @param negativeTtl how long a "not found" is remembered (zero: not at all)
     * @param maxBytes size cap; a larger document is refused
     * @param store false for answers that are never cached (every request asks upstream; no stale copy),
     *     such as paginated listings whose keys a client chooses
     */
    public record Policy(Duration ttl, Duration negativeTtl, int maxBytes, boolean store) {
        /** A cached policy. */
        public Policy(Duration ttl, Duration negativeTtl, int maxBytes) {
            this(ttl, negativeTtl, maxBytes, true);
        }

        /** Never cached: asked from upstream every time. */
        public static Policy uncached(int maxBytes) {
            return new Policy(Duration.ZERO, Duration.ZERO, maxBytes, false);
        }
    }

    private final Storage storage;
    private final Clock clock;
    private final Coalescer<Document> inflight = new Coalescer<>();
    private final Coalescer<Optional<Document>> loading = new Coalescer<>();
    private final DocumentMemory memory;
    /** A {@link Streamed} document longer than this stays on disk (the memory's own threshold for "large"). */
    private final long inlineMax;

    /** @param memoryBytes how many bytes of documents (bodies and per-entry overhead) to keep in memory */
    public MutableDocuments(Storage storage, Clock clock, long memoryBytes) {
        this.storage = storage;
        this.clock = clock;
        this.memory = new DocumentMemory(memoryBytes);
        this.inlineMax = memoryBytes / 4;
    }

    /**
     * The current document for {@code key}: cached within the TTL, else asked from upstream (one request
     * however many callers), else the stale cached copy when upstream fails.
     *
     * @return the document; {@link Document#missing()} when upstream said it does not exist
     * @throws IOException when upstream fails and nothing is cached
     */
    public Document get(String key, Policy policy, Fetcher fetcher) throws IOException {
        return serve(key, policy, fetcher).document();
    }

    /** Where a document {@link #serve served} came from (for metrics, issue 11). */
    public enum Source {
        /** the cache, within its TTL or confirmed by upstream's 304 */
        CACHE,
        /** upstream, asked by this caller */
        FETCHED,
        /** upstream, asked by another caller this one waited for */
        JOINED,
        /** the cache, because upstream failed */
        STALE
    }

    /** A document and where it came from. */
    public record Served(Document document, Source source) {
    }

    /** As {@link #get}, telling where the document came from. */
    public Served serve(String key, Policy policy, Fetcher fetcher) throws IOException {
        if (!policy.store()) {
            return new Served(uncached(key, policy, fetcher), Source.FETCHED);
        }
        Optional<Document> cached = load(key);
        if (cached.isPresent() && fresh(cached.get(), policy)) {
            return new Served(cached.get(), Source.CACHE);
        }
        Source[] source = {Source.JOINED}; // set only when this caller runs the refresh itself
        try {
            Document d = inflight.get(key, () -> {
                // A caller that missed just as another one's refresh finished finds that result here
                // instead of asking upstream a second time.
                Optional<Document> again = load(key);
                if (again.isPresent() && fresh(again.get(), policy)) {
                    source[0] = Source.CACHE;
                    return again.get();
                }
                return refresh(key, cached.filter(c -> !c.missing()).orElse(null), policy, fetcher, source);
            });
            return new Served(d, source[0]);
        } catch (IOException e) {
            if (cached.isPresent()) {
                // Stale if error, for "not found" answers too: a client probing paths (go get) should keep
                // getting the 404 it got before, not a 502, while upstream is down.
                LOG.warn("serving cached {} (fetched {} s ago): upstream failed: {}", key,
                        (clock.millis() - cached.get().fetchedAt()) / 1000, e.getMessage());
                return new Served(cached.get(), Source.STALE);
            }
            throw e;
        }
    }

    private Document uncached(String key, Policy policy, Fetcher fetcher) throws IOException {
        Answer a = fetcher.fetch(null, null);
        long now = clock.millis();
        if (a instanceof Missing m) {
            return new Document(new byte[0], null, null, null, now, m.status());
        }
        if (!(a instanceof Fetched f)) {
            throw new IOException("upstream answered 304 to an unconditional request for " + key);
        }
        if (f.body().length > policy.maxBytes()) {
            throw new IOException(key + " is larger than the limit of " + policy.maxBytes() + " bytes");
        }
        return new Document(f.body(), f.contentType(), f.etag(), f.lastModified(), now, 0, f.headers());
    }

    /** What is cached under {@code key}, fresh or not, without asking upstream. */
    public Optional<Document> peek(String key) {
        return load(key);
    }

    /** Records a document learned on the way (best effort: a full disk keeps it in memory only). */
    public void put(String key, Fetched f) {
        store(key, new Document(f.body(), f.contentType(), f.etag(), f.lastModified(), clock.millis(), 0, f.headers()));
    }

    /** Drops a document (e.g. the format found it unusable, or an admin purged it). */
    public void invalidate(String key) throws IOException {
        memory.remove(key);
        storage.delete(key);
    }

    private boolean fresh(Document d, Policy policy) {
        Duration ttl = d.missing() ? policy.negativeTtl() : policy.ttl();
        return clock.millis() - d.fetchedAt() < ttl.toMillis();
    }

    /** @param source set to where the answer came from: {@code CACHE} for a 304, else {@code FETCHED} */
    private Document refresh(String key, Document cached, Policy policy, Fetcher fetcher, Source[] source)
            throws IOException {
        long now = clock.millis();
        try (DocumentSpool spool = new DocumentSpool(storage, key, policy.maxBytes(), now, inlineMax)) {
            Answer a = fetcher.fetch(cached == null ? null : cached.etag(), cached == null ? null : cached.lastModified(),
                    spool);
            if (a instanceof Streamed) {
                source[0] = Source.FETCHED;
                Document d = spool.finish();
                memory.put(key, d);
                return d;
            }
            return answered(key, cached, policy, a, clock.millis(), source);
        }
    }

    private Document answered(String key, Document cached, Policy policy, Answer a, long now, Source[] source)
            throws IOException {
        source[0] = a instanceof NotModified ? Source.CACHE : Source.FETCHED;
        if (a instanceof NotModified) {
            if (cached == null) {
                throw new IOException("upstream answered 304 to an unconditional request for " + key);
            }
            Document d = cached.at(now);
            store(key, d);
            return d;
        }
        if (a instanceof Missing m) {
            Document d = new Document(new byte[0], null, null, null, now, m.status());
            if (!policy.negativeTtl().isZero()) {
                memory.put(key, d);
            }
            return d;
        }
        Fetched f = (Fetched) a;
        if (f.body().length > policy.maxBytes()) {
            throw new IOException(key + " is larger than the limit of " + policy.maxBytes() + " bytes");
        }
        Document d = new Document(f.body(), f.contentType(), f.etag(), f.lastModified(), now, 0, f.headers());
        store(key, d);
        return d;
    }

    private Optional<Document> load(String key) {
        Document d = memory.get(key);
        if (d != null) {
            return Optional.of(d);
        }
        // Concurrent readers of one key share one read from disk (and so one copy in memory).
        try {
            return loading.get(key, () -> {
                Document again = memory.get(key);
                if (again != null) {
                    return Optional.of(again);
                }
                Optional<byte[]> raw;
                try {
                    Optional<Storage.Entry> entry = storage.get(key);
                    if (entry.isEmpty()) {
                        return Optional.empty();
                    }
                    if (entry.get().size() > inlineMax) {
                        // Written by a Streamed fetch: only the header line is read, the body stays on disk.
                        Optional<Document> onDisk = DocumentSpool.stored(entry.get(), MAX_HEADER);
                        if (onDisk.isPresent()) {
                            memory.put(key, onDisk.get());
                            return onDisk;
                        }
                    }
                    raw = storage.read(key, MAX_STORED);
                } catch (IOException e) {
                    return Optional.empty();
                }
                return raw.flatMap(bytes -> decode(key, bytes));
            });
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<Document> decode(String key, byte[] bytes) {
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
            JsonNode h = parseHeader(bytes, nl);
            if (h.path("missing").asInt() != 0) {
                return Optional.empty(); // written by an older version: negative answers live in memory only
            }
            Document d = fromHeader(h, Arrays.copyOfRange(bytes, nl + 1, bytes.length), null);
            memory.put(key, d);
            return Optional.of(d);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The JSON header line of a stored document (without its newline).
     *
     * @param streamed whether the body stays on disk when the entry is large (see {@link Streamed})
     */
    static byte[] header(String contentType, String etag, String lastModified, long fetchedAt,
            Map<String, String> headers, boolean streamed) throws IOException {
        ObjectNode h = JSON.createObjectNode();
        h.put("contentType", contentType);
        h.put("etag", etag);
        h.put("lastModified", lastModified);
        h.put("fetchedAt", fetchedAt);
        if (!headers.isEmpty()) {
            ObjectNode hs = h.putObject("headers");
            headers.forEach(hs::put);
        }
        if (streamed) {
            h.put("streamed", true);
        }
        return JSON.writeValueAsBytes(h);
    }

    /** Reads back what {@link #header} wrote. */
    static Document fromHeader(JsonNode h, byte[] body, StoredBody stored) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        h.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return new Document(body, text(h, "contentType"), text(h, "etag"), text(h, "lastModified"),
                h.path("fetchedAt").asLong(), 0, headers, stored);
    }

    static JsonNode parseHeader(byte[] bytes, int length) throws IOException {
        return JSON.readTree(new String(bytes, 0, length, StandardCharsets.UTF_8));
    }

    private void store(String key, Document d) {
        if (d.stored() != null) {
            // A large stored document confirmed by a 304: its entry stays as it is (rewriting hundreds of MB to
            // move fetchedAt is not worth it); the new time lives in memory, and after a restart the document
            // is revalidated once sooner than needed.
            memory.put(key, d);
            return;
        }
        try {
            byte[] header = header(d.contentType(), d.etag(), d.lastModified(), d.fetchedAt(), d.headers(), false);
            byte[] all = new byte[header.length + 1 + d.body().length];
            System.arraycopy(header, 0, all, 0, header.length);
            all[header.length] = '\n';
            System.arraycopy(d.body(), 0, all, header.length + 1, d.body().length);
            storage.put(key, all);
        } catch (IOException | RuntimeException e) {
            // A full disk must not fail the request: the document is still served from memory.
            LOG.warn("could not store {}: {}", key, e.getMessage());
        }
        memory.put(key, d);
    }

    private static String text(JsonNode h, String field) {
        JsonNode v = h.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
