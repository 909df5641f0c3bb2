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

    /**
     * A chart URL of the index as the admin API needs it (issue 10).
     *
     * @param path what a client asks for below the repository ({@code _charts/TOKEN/FILE} or the relative path)
     * @param token the chart's storage name ({@link ChartRef#token()})
     * @param file the last segment of the path, e.g. {@code nginx-1.2.3.tgz}
     */
    record Chart(String path, String token, String file) {
    }

    /** The chart URLs whose file name {@code fileFilter} accepts (one pass over the records). */
    java.util.List<Chart> charts(java.util.function.Predicate<String> fileFilter) throws IOException;

    /**
     * The file name of the chart stored under {@code token}, if this index names it and can say so cheaply
     * (an index held in memory; a streamed one answers empty rather than read the whole document per name).
     */
    Optional<String> file(String token);

    /** Length in bytes of the document as served with {@code repositoryUrl}. */
    long servedLength(byte[] repositoryUrl);

    /** Writes the document as clients see it (see {@link StoredIndex#writeTo}). Does not close {@code out}. */
    void writeTo(OutputStream out, byte[] repositoryUrl) throws IOException;
}
