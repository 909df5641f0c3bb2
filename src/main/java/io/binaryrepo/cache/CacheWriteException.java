package io.binaryrepo.cache;

import java.io.IOException;

/**
 * The cache could not be written (disk full, read-only, permissions). Upstream is fine: the content can
 * still be passed through to the client without caching ({@link Passthrough}).
 */
public final class CacheWriteException extends IOException {
    private static final long serialVersionUID = 1L;

    public CacheWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
