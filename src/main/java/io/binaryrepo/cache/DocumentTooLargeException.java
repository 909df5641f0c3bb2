package io.binaryrepo.cache;

import java.io.IOException;

/** A document written into a {@link MutableDocuments.Spool} went past its policy's size limit. */
public final class DocumentTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    DocumentTooLargeException(String message) {
        super(message);
    }
}
