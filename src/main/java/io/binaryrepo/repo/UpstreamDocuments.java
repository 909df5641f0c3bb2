package io.binaryrepo.repo;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

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
        return (etag, lastModified) -> {
            Map<String, String> headers = new LinkedHashMap<>();
            if (etag != null) {
                headers.put("If-None-Match", etag);
            }
            if (lastModified != null) {
                headers.put("If-Modified-Since", lastModified);
            }
            try (UpstreamResponse r = request.send(headers)) {
                int s = r.status();
                if (s == 200) {
                    byte[] body = reader.read(r);
                    return new MutableDocuments.Fetched(body, r.header("Content-Type"), r.header("ETag"),
                            r.header("Last-Modified"));
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
}
