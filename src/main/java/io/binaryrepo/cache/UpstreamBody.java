package io.binaryrepo.cache;

import java.io.Closeable;
import java.io.InputStream;

/**
 * An open upstream response body feeding a {@link Download}. The download closes it.
 */
public interface UpstreamBody extends Closeable {
    /** Announced length in bytes, or -1 when upstream did not say. */
    long length();

    /** Announced content type, or null. */
    String contentType();

    /** The body; read once, by the download's thread. */
    InputStream stream();

    /**
     * What the body must be: {@code planned} (the check known before upstream answered) unless upstream's
     * answer stated the content's digest itself (Maven's {@code X-Checksum-Sha1}).
     */
    default ContentCheck check(ContentCheck planned) {
        return planned;
    }
}
