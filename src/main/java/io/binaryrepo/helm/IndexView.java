package io.binaryrepo.helm;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A stored index (the {@link StoredIndex} form) as {@link HelmIndex} uses it: served with the repository URL
 * filled in, and the table of the charts it lists. Held in memory ({@link StoredIndex}) or read from its stored
 * entry on every use ({@link StreamedIndex}, for indexes too large to hold). Thread-safe.
 */
interface IndexView {
    /** The chart a rewritten URL with {@code token} leads to, if this index has it. */
    Optional<ChartRef> proxied(String token) throws IOException;

    /** The chart at {@code path} (relative to the repository, raw), if this index has it. */
    Optional<ChartRef> relative(String path) throws IOException;

    /** Length in bytes of the document as served with {@code repositoryUrl}. */
    long servedLength(byte[] repositoryUrl);

    /** Writes the document as clients see it (see {@link StoredIndex#writeTo}). Does not close {@code out}. */
    void writeTo(OutputStream out, byte[] repositoryUrl) throws IOException;
}
