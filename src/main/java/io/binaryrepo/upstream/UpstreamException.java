package io.binaryrepo.upstream;

import java.io.IOException;

/**
 * Upstream could not give an answer to pass on: unreachable, too slow, or it answered with a status the
 * caller treats as a failure. Messages never contain credentials or tokens.
 */
public final class UpstreamException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, which decides the status binaryrepo answers with. */
    public enum Kind {
        /** Connection refused, reset, DNS failure, TLS failure: answered 502. */
        UNREACHABLE,
        /** Upstream answered, but with something unusable (too large, wrong digest): answered 502. */
        INVALID,
        /**
         * binaryrepo refused the target (issue 17): an internal address that is neither the upstream's own
         * nor in {@code allowedHosts}, an https to http downgrade, a plain-http token realm for an https
         * upstream. Answered 502.
         */
        REFUSED,
        /** Connect or read timeout: answered 504. */
        TIMEOUT,
        /** Upstream answered with {@link #status()}. */
        STATUS
    }

    private final Kind kind;
    private final int status;
    private final String retryAfter;

    public UpstreamException(Kind kind, String message, Throwable cause) {
        this(kind, 0, null, message, cause);
    }

    public UpstreamException(int status, String retryAfter, String message) {
        this(Kind.STATUS, status, retryAfter, message, null);
    }

    private UpstreamException(Kind kind, int status, String retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The upstream status for {@link Kind#STATUS}, else 0. */
    public int status() {
        return status;
    }

    /** Upstream's {@code Retry-After} value (with a 429 or 503), or null. */
    public String retryAfter() {
        return retryAfter;
    }
}
