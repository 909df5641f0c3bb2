package io.binaryrepo.cache;

import java.io.IOException;

/**
 * A download could not be started: the download queue is full, or binaryrepo is shutting down. Nothing
 * is wrong upstream or with the cache; the client should retry later (503 with Retry-After).
 */
public final class DownloadsBusyException extends IOException {
    private static final long serialVersionUID = 1L;

    public DownloadsBusyException(String message) {
        super(message);
    }
}
