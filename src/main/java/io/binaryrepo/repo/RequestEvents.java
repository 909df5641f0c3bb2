package io.binaryrepo.repo;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.upstream.UpstreamEvents;

/**
 * What one repository's requests did, reported by the shared handler for metrics (issue 11). Each served
 * request reports exactly one {@link Outcome}; fixed answers (an API-version ping) report none.
 * Implementations must be thread-safe and cheap: they are called on the request path (pre-registered
 * counters, no lookups). {@link #NONE} ignores everything.
 */
public interface RequestEvents {

    /** How a request was answered. */
    enum Outcome {
        /** served from the cache (a document within its TTL or confirmed by a 304) */
        HIT,
        /** this request fetched it from upstream (it started the download, or fetched the document) */
        MISS,
        /** joined a download or document fetch another request had started */
        COALESCED,
        /** the cached copy, served because upstream failed */
        STALE,
        /** streamed from upstream without caching: the cache cannot be written */
        PASSTHROUGH,
        /** answered 404 or 410 */
        NOT_FOUND,
        /** answered with any other error, or aborted */
        ERROR
    }

    RequestEvents NONE = new RequestEvents() {
        @Override
        public void outcome(Outcome o) {
        }

        @Override
        public void served(boolean fromCache, long bytes) {
        }

        @Override
        public void waiters(int delta) {
        }
    };

    void outcome(Outcome o);

    /** Body bytes sent to a client: {@code fromCache} for a cache hit, else first fetch from upstream. */
    void served(boolean fromCache, long bytes);

    /** A request starts ({@code +1}) or stops ({@code -1}) waiting on or streaming from a shared download. */
    void waiters(int delta);

    /** Gives each repository its events; called once per repository at start-up. */
    interface Factory {
        Factory NONE = new Factory() {
            @Override
            public RequestEvents requests(RepositoryConfig repository) {
                return RequestEvents.NONE;
            }

            @Override
            public UpstreamEvents upstream(RepositoryConfig repository) {
                return UpstreamEvents.NONE;
            }
        };

        RequestEvents requests(RepositoryConfig repository);

        UpstreamEvents upstream(RepositoryConfig repository);
    }
}
