package io.binaryrepo.repo;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;

/**
 * What a request asks for, as a format describes it; the {@link ResourceHandler} carries it out. Four
 * kinds: {@link Content} (immutable, addressed by content: cached forever), {@link Document} (mutable:
 * served within a freshness policy, revalidated, stale if upstream fails), {@link Fixed} (an answer
 * the format knows without cache or upstream) and {@link Forward} (a request with a body passed to upstream
 * uncached, such as {@code npm audit}). Descriptions are immutable values; the callbacks they
 * hold are called on the request's thread unless they say otherwise.
 */
public sealed interface Resource permits Resource.Content, Resource.Document, Resource.Fixed, Resource.Forward {

    /**
     * Immutable content: a blob, a chart, a module zip. Served from the cache when it is there (with single
     * byte ranges, zero-copy where the container can); else through one verified download shared by every
     * client asking for the same key, committed only when it matches its {@link Fetch#check()}; passed
     * through verified when the cache cannot be written. A HEAD of uncached content asks upstream with a
     * HEAD and downloads nothing.
     *
     * @param key the storage key
     * @param contentType the {@code Content-Type} of the answer
     * @param headers more answer headers (digest, ETag, caching)
     * @param origin who fetches it, compared by {@code equals}: a client whose origin differs from the one
     *     that started a shared download must pass {@code guard} before it may stream that download
     * @param guard runs before cached content (or another origin's download) is served to this client:
     *     throws when this repository may not see it (Docker: the upstream must have confirmed the blob for
     *     the image name); {@link Guard#NONE} when keys are private to the repository
     * @param miss how a miss reaches upstream; asked only when the content is not cached
     * @param failures what upstream statuses become for the client
     * @param verifyFirst whether a miss waits until the content is verified before the answer starts, so that
     *     content failing its check is answered 502 rather than cut off (for clients that retry a 502 but
     *     report a broken transfer as an error, like Maven; the cost is the time to the first byte)
     * @param checkHeaders more answer headers of a miss, from the check its download is verified against (Maven's
     *     {@code X-Checksum-Sha1}, which a hit carries in {@code headers}); not asked for hits
     */
    record Content(String key, String contentType, Map<String, String> headers, Object origin, Guard guard,
            Miss miss, Failures failures, boolean verifyFirst,
            java.util.function.Function<ContentCheck, Map<String, String>> checkHeaders) implements Resource {
        /** Content that is streamed to clients while it arrives. */
        public Content(String key, String contentType, Map<String, String> headers, Object origin, Guard guard,
                Miss miss, Failures failures) {
            this(key, contentType, headers, origin, guard, miss, failures, false);
        }

        /** Content without {@code checkHeaders}. */
        public Content(String key, String contentType, Map<String, String> headers, Object origin, Guard guard,
                Miss miss, Failures failures, boolean verifyFirst) {
            this(key, contentType, headers, origin, guard, miss, failures, verifyFirst, check -> Map.of());
        }

        public Content {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(contentType, "contentType");
            headers = Map.copyOf(headers);
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(guard, "guard");
            Objects.requireNonNull(miss, "miss");
            Objects.requireNonNull(failures, "failures");
            Objects.requireNonNull(checkHeaders, "checkHeaders");
        }
    }

    /**
     * A mutable (or immutable but small) document: an index, a tag, a version list. Kept by the shared
     * {@link MutableDocuments}: served within {@code policy}'s TTL, then asked again with the validators
     * upstream gave (one upstream request however many clients ask), the cached copy served when upstream
     * fails, "not found" remembered for the negative TTL.
     *
     * @param key the storage key
     * @param policy TTLs and size cap
     * @param fetcher asks upstream (conditionally when given validators); see {@link UpstreamDocuments} for
     *     the usual GET with If-None-Match / If-Modified-Since
     * @param renderer how a document is answered (content type, headers, body; e.g. URLs filled in)
     * @param failures what "not found" and upstream statuses become for the client
     */
    record Document(String key, MutableDocuments.Policy policy, MutableDocuments.Fetcher fetcher, Renderer renderer,
            Failures failures) implements Resource {
        public Document {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(fetcher, "fetcher");
            Objects.requireNonNull(renderer, "renderer");
            Objects.requireNonNull(failures, "failures");
        }
    }

    /** An answer the format knows by itself (the Docker API version check, Go's sumdb "supported"). */
    record Fixed(int status, String contentType, Map<String, String> headers, byte[] body) implements Resource {
        public Fixed {
            Objects.requireNonNull(contentType, "contentType");
            headers = Map.copyOf(headers);
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        /** The body's length, without copying it. */
        public int length() {
            return body.length;
        }

        void writeBody(OutputStream out) throws IOException {
            out.write(body);
        }
    }

    /**
     * A request forwarded to upstream and its answer streamed back, nothing cached: for the few POSTs a
     * read-only cache must pass on (npm audit). The client's body is read up to {@code maxBody} bytes (more is
     * 413) and given to {@code exchange}, which sends it with the repository's own upstream credentials: the
     * client's headers (its {@code Authorization} above all) are never forwarded unless the format copies one
     * on purpose. A 2xx answer is streamed back with its status, content type and length; any other status
     * and every failure go through {@code failures} (502/504/429, never a made-up success).
     *
     * @param maxBody the largest request body accepted, in bytes
     * @param exchange sends the body upstream; the caller closes the response
     * @param failures what upstream statuses become for the client
     */
    record Forward(int maxBody, Exchange exchange, Failures failures) implements Resource {
        public Forward {
            if (maxBody < 0) {
                throw new IllegalArgumentException("maxBody < 0");
            }
            Objects.requireNonNull(exchange, "exchange");
            Objects.requireNonNull(failures, "failures");
        }
    }

    /** Sends a forwarded request's body upstream. */
    @FunctionalInterface
    interface Exchange {
        /** Any status is returned; the caller closes the response. */
        UpstreamResponse send(byte[] body) throws IOException;
    }

    /** Decides, before cached content is served, whether this client's repository may see it. */
    @FunctionalInterface
    interface Guard {
        Guard NONE = () -> { };

        /** @throws ProxyError or an upstream failure when it may not */
        void check() throws IOException;
    }

    /** Plans the upstream request of a miss (may consult an index, so it is asked only on a miss). */
    @FunctionalInterface
    interface Miss {
        /**
         * @throws ProxyError when the content is unknown (e.g. not in the current index)
         * @throws IOException when planning needs upstream and it fails
         */
        Fetch plan() throws IOException;
    }

    /**
     * One planned upstream request of immutable content.
     *
     * @param check what the bytes must be before they are committed or passed through
     * @param call sends GET (for the download, on a download thread) or HEAD (for a client's HEAD); any
     *     status is returned, the shared handler decides what it means
     * @param answerCheck decides the check from upstream's 200 answer to the GET, before its body is read
     *     (Maven repositories state the checksum in {@code X-Checksum-Sha1} headers); {@link AnswerCheck#PLANNED}
     *     keeps {@code check}
     */
    record Fetch(ContentCheck check, UpstreamCall call, AnswerCheck answerCheck) {
        public Fetch {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(answerCheck, "answerCheck");
        }

        /** A fetch whose check is known before upstream answers. */
        public Fetch(ContentCheck check, UpstreamCall call) {
            this(check, call, AnswerCheck.PLANNED);
        }
    }

    /**
     * The check of content whose digest upstream states in its answer. Called on the thread that opens the
     * download (or the passthrough), with the open 200 response; it may ask upstream for more (a checksum
     * file) but must not read or close {@code answer}.
     */
    @FunctionalInterface
    interface AnswerCheck {
        AnswerCheck PLANNED = (answer, planned) -> planned;

        /**
         * @param planned the fetch's {@link Fetch#check()}
         * @throws IOException (an {@link io.binaryrepo.upstream.UpstreamException} for upstream failures) when
         *     the check cannot be decided: the download fails and nothing is committed
         */
        ContentCheck check(UpstreamResponse answer, ContentCheck planned) throws IOException;
    }

    /** Sends one upstream request; the caller closes the response. */
    @FunctionalInterface
    interface UpstreamCall {
        UpstreamResponse send(String method) throws IOException;
    }

    /** How a cached document is answered. */
    @FunctionalInterface
    interface Renderer {
        /** Renders a present (not "missing") document. */
        Rendered render(MutableDocuments.Document document) throws IOException;
    }

    /** A document's answer: status 200 with these headers and body. */
    interface Rendered {
        String contentType();

        Map<String, String> headers();

        /** The body length in bytes. */
        long length();

        /** Writes the body; called at most once, not for HEAD. Does not close {@code out}. */
        void writeTo(OutputStream out) throws IOException;

        /** The stored bytes as they are, with {@code contentType} and {@code headers}. */
        static Rendered bytes(byte[] body, String contentType, Map<String, String> headers) {
            Map<String, String> h = Map.copyOf(headers);
            return new Rendered() {
                @Override
                public String contentType() {
                    return contentType;
                }

                @Override
                public Map<String, String> headers() {
                    return h;
                }

                @Override
                public long length() {
                    return body.length;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    out.write(body);
                }
            };
        }
    }
}
