package io.binaryrepo.upstream;

/**
 * What one repository's {@link UpstreamClient} exchanged with upstream, for metrics (issue 11). Called on
 * request and download threads: implementations are thread-safe and cheap. {@link #NONE} ignores all.
 */
public interface UpstreamEvents {
    /** Why no HTTP status came back. */
    enum Failure {
        /** connect or read timeout */
        TIMEOUT,
        /** the connection could not be made (refused, unknown host, no route) */
        REFUSED,
        /** the connection broke (reset, closed without a response) */
        RESET
    }

    UpstreamEvents NONE = new UpstreamEvents() {
        @Override
        public void answered(int status, long nanos, String method, String path) {
        }

        @Override
        public void failed(Failure failure, long nanos, String method, String path) {
        }

        @Override
        public void bodyBytes(long n) {
        }

        @Override
        public void rateLimit(long remaining, long limit) {
        }
    };

    /**
     * One HTTP exchange (each redirect hop and token request counts) answered with {@code status}.
     *
     * @param path the request path without query (never credentials or signed query strings)
     */
    void answered(int status, long nanos, String method, String path);

    /** One HTTP exchange that got no response. */
    void failed(Failure failure, long nanos, String method, String path);

    /** Bytes of response bodies read from upstream. */
    void bodyBytes(long n);

    /** Docker Hub's {@code ratelimit-remaining} and {@code ratelimit-limit} (-1 when not sent). */
    void rateLimit(long remaining, long limit);
}
