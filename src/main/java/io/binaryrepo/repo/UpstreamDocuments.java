package io.binaryrepo.repo;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The usual upstream exchange of a mutable document, for every format: a GET with {@code If-None-Match} /
 * {@code If-Modified-Since} when validators are cached; 200 is a new document (read with a size cap, or
 * through the format's streaming rewrite), 304 confirms the cached one, 404/410 say it does not exist
 * (cached briefly), anything else is a failure (the cached copy is then served). Stateless.
 */
public final class UpstreamDocuments {
    private UpstreamDocuments() {
    }

    /** Sends the document request with the given extra headers; any status is returned. */
    @FunctionalInterface
    public interface Request {
        UpstreamResponse send(Map<String, String> headers) throws IOException;
    }

    /** Reads a 200 answer's body into what is stored (validating or rewriting it). */
    @FunctionalInterface
    public interface BodyReader {
        /**
         * @throws io.binaryrepo.upstream.UpstreamException (kind INVALID) when the body is unusable: it is then
         *     not cached, and a cached copy is served instead
         */
        byte[] read(UpstreamResponse response) throws IOException;
    }

    /** Writes a 200 answer's body, as it is to be stored, into the document cache's spool. */
    @FunctionalInterface
    public interface BodyWriter {
        /**
         * @throws io.binaryrepo.upstream.UpstreamException (kind INVALID) when the body is unusable: it is then
         *     not cached, and a cached copy is served instead
         */
        void write(UpstreamResponse response, OutputStream out) throws IOException;
    }

    /** A reader that takes the body as it is, refusing more than {@code maxBytes}. */
    public static BodyReader capped(int maxBytes) {
        return r -> r.readBody(maxBytes);
    }

    /**
     * A fetcher for the shared document cache.
     *
     * @param what names the document in messages
     */
    public static MutableDocuments.Fetcher conditionalGet(Request request, BodyReader reader, String what) {
        return conditionalGet(request, reader, what, Set.of());
    }

    /**
     * As {@link #conditionalGet(Request, BodyReader, String)}, keeping the upstream response headers named in
     * {@code keep} with the document ({@link MutableDocuments.Document#headers()}).
     */
    public static MutableDocuments.Fetcher conditionalGet(Request request, BodyReader reader, String what,
            Set<String> keep) {
        return (etag, lastModified) -> {
            try (UpstreamResponse r = request.send(validators(etag, lastModified))) {
                int s = r.status();
                if (s == 200) {
                    byte[] body = reader.read(r);
                    Map<String, String> kept = new LinkedHashMap<>();
                    for (String k : keep) {
                        String v = r.header(k);
                        if (v != null && v.length() <= 4096) {
                            kept.put(k, v);
                        }
                    }
                    return new MutableDocuments.Fetched(body, r.header("Content-Type"), r.header("ETag"),
                            r.header("Last-Modified"), kept);
                }
                if (s == 304 && (etag != null || lastModified != null)) {
                    return new MutableDocuments.NotModified();
                }
                if (s == 404 || s == 410) {
                    return new MutableDocuments.Missing(s);
                }
                throw r.failure(what);
            }
        };
    }

    /**
     * As {@link #conditionalGet(Request, BodyReader, String)}, for documents that may be too large to hold: a 200
     * answer's body is written by {@code writer} straight into the document cache's spool
     * ({@link MutableDocuments.Streamed}), never held as one array.
     */
    public static MutableDocuments.Fetcher conditionalGetStreamed(Request request, BodyWriter writer, String what) {
        return new MutableDocuments.Fetcher() {
            @Override
            public MutableDocuments.Answer fetch(String etag, String lastModified) throws IOException {
                throw new IOException(what + " is only fetched into the document cache");
            }

            @Override
            public MutableDocuments.Answer fetch(String etag, String lastModified, MutableDocuments.Spool spool)
                    throws IOException {
                try (UpstreamResponse r = request.send(validators(etag, lastModified))) {
                    int s = r.status();
                    if (s == 200) {
                        writer.write(r, spool.open(r.header("Content-Type"), r.header("ETag"),
                                r.header("Last-Modified"), Map.of()));
                        return new MutableDocuments.Streamed();
                    }
                    if (s == 304 && (etag != null || lastModified != null)) {
                        return new MutableDocuments.NotModified();
                    }
                    if (s == 404 || s == 410) {
                        return new MutableDocuments.Missing(s);
                    }
                    throw r.failure(what);
                }
            }
        };
    }

    private static Map<String, String> validators(String etag, String lastModified) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        if (lastModified != null) {
            headers.put("If-Modified-Since", lastModified);
        }
        return headers;
    }
}
