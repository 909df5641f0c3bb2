package io.binaryrepo.cache;

import java.io.IOException;

/**
 * A shared download failed after it had started streaming (truncated, corrupt, timed out, cache write
 * failed). A reader that sees it must abort its client response: the client must never receive a
 * short body that looks complete.
 */
public final class DownloadFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    public DownloadFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
