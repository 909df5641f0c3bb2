package io.binaryrepo.cache;

import java.io.IOException;

/**
 * A shared download failed after it had started streaming (truncated, corrupt, timed out, cache write
 * failed). A reader that sees it must abort its client response: the client must never receive a
 * short body that looks complete.
 */
public final class DownloadFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long delivered;

    public DownloadFailedException(String message, Throwable cause) {
        this(message, cause, -1);
    }

    /** @param delivered bytes this reader had already written to its client, or -1 when unknown */
    public DownloadFailedException(String message, Throwable cause, long delivered) {
        super(message, cause);
        this.delivered = delivered;
    }

    /** Bytes the failing reader had already written to its client, or -1 when unknown. */
    public long delivered() {
        return delivered;
    }

    /** Whether the download failed because the cache could not be written (upstream was fine). */
    public boolean cacheWriteFailed() {
        return getCause() instanceof CacheWriteException;
    }
}
