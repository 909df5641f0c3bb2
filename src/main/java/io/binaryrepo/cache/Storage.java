package io.binaryrepo.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where cached content lives. Keys are relative, slash-separated paths whose segments match
 * {@code [A-Za-z0-9_][A-Za-z0-9._-]*} (so no key can name anything outside the cache root); an invalid
 * key is an {@link IllegalArgumentException}.
 *
 * <p>Content enters only through {@link #commit(String, Path)} of a spool file that the caller has
 * verified, or {@link #put(String, byte[])} for small metadata; both are atomic: a reader sees the
 * old entry, nothing, or the whole new entry, never a part. Implementations are thread-safe.
 */
public interface Storage extends Closeable {

    /** The entry under {@code key}, if committed. */
    Optional<Entry> get(String key) throws IOException;

    /** Whether an entry is committed under {@code key}. */
    boolean exists(String key) throws IOException;

    /**
     * Creates an empty local spool file for a download. The caller writes it, then either
     * {@link #commit(String, Path) commits} or deletes it. Files left behind by a crash are removed by
     * {@link #removeSpoolLeftovers()}.
     */
    Path createSpoolFile() throws IOException;

    /** Atomically makes the (verified, complete) spool file the entry for {@code key}; consumes the spool file. */
    void commit(String key, Path spoolFile) throws IOException;

    /** Atomically stores a small value (metadata) under {@code key}. */
    void put(String key, byte[] value) throws IOException;

    /** Reads a small value, failing if it is larger than {@code maxBytes}. */
    Optional<byte[]> read(String key, int maxBytes) throws IOException;

    /** Removes the entry, if any. */
    void delete(String key) throws IOException;

    /** Removes spool files left by an earlier process (call once at start-up); returns how many. */
    int removeSpoolLeftovers() throws IOException;

    /** A committed entry. */
    interface Entry {
        long size();

        /** Opens the content for reading; the caller closes the channel. */
        SeekableByteChannel open() throws IOException;

        /** The local file behind the entry, for zero-copy serving, when there is one. */
        Optional<Path> file();
    }
}
