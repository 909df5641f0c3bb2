package io.binaryrepo.upstream;

/**
 * Which connection pool of an {@link UpstreamClient} a request uses. Content downloads can hold a
 * connection for minutes (a large layer, a slow client), so they get their own pool: however many of
 * them are running or stalled, metadata requests still get a connection (issue 17).
 */
public enum Traffic {
    /** Manifests, tags, indexes, HEAD requests, tokens: small answers, read at once. */
    METADATA,
    /** Blob, chart and module-zip bodies that are streamed to the cache and clients. */
    CONTENT;

    /** The pool for a request about immutable content: its GET is a download, its HEAD a metadata request. */
    public static Traffic forContent(String method) {
        return "GET".equals(method) ? CONTENT : METADATA;
    }
}
