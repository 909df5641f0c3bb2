package io.binaryrepo.cache;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where cached content lives. Keys are relative, slash-separated names checked by {@link StorageKeys}
 * (segments matching {@code [A-Za-z0-9_][A-Za-z0-9._-]*}, at most 1024 characters, so no key can name
 * anything outside the cache); an invalid key is an {@link IllegalArgumentException}. Formats must not
 * use a key that is also the leading segments of another ({@code a/b} and {@code a/b/c}): a file system
 * cannot hold both, and writing the second fails with an IOException.
 *
 * <p>Content enters only through a {@link Writer} the caller commits after verifying what it wrote, or
 * {@link #put(String, byte[])} for small metadata; both are atomic and durable: a reader sees the old
 * entry, nothing, or the whole new entry, never a part, and a committed entry survives a power loss.
 * Implementations are thread-safe. The contract every backend must meet is the test suite
 * {@code StorageContract}.
 */
public interface Storage extends Closeable {

    /** The entry under {@code key}, if committed. */
    Optional<Entry> get(String key) throws IOException;

    /** Whether an entry is committed under {@code key}. */
    boolean exists(String key) throws IOException;

    /**
     * Starts writing the content of {@code key}. Nothing is visible under the key until
     * {@link Writer#commit()}; the caller closes the writer (closing without commit aborts).
     *
     * @throws CacheWriteException when the storage cannot take the write (disk full, read-only); reported
     *     to the free-space watch like any other write failure
     */
    Writer writer(String key) throws IOException;

    /** Atomically and durably stores a small value (metadata) under {@code key}. */
    void put(String key, byte[] value) throws IOException;

    /** Reads a small value, failing (IOException) if it is larger than {@code maxBytes}. */
    Optional<byte[]> read(String key, int maxBytes) throws IOException;

    /**
     * Reads a small value together with its version, for {@link #putIfVersion} (issue 16: mutable records
     * shared by several nodes are updated by compare-and-swap). A version is opaque; it changes whenever
     * the value changes and may repeat for an equal value (an S3 ETag is the MD5 of the bytes), so callers
     * must compute what they write from the value they read and nothing else.
     *
     * @throws IOException if the value is larger than {@code maxBytes}, or the backend fails
     */
    Optional<Versioned> readVersioned(String key, int maxBytes) throws IOException;

    /**
     * Atomically and durably stores {@code value} under {@code key} only if the value there is still the
     * one {@code expectedVersion} was read with ({@code null}: only if there is no entry). Unlike
     * {@link #put}, a concurrent writer on this or another node is never overwritten unseen.
     *
     * @return false when the entry changed (or appeared, or was removed) since that read: read again and retry
     * @throws IOException when the backend fails (nothing or the whole value was written, as with put)
     */
    boolean putIfVersion(String key, byte[] value, String expectedVersion) throws IOException;

    /**
     * When a client last read the entry under {@code key}, as far as this storage records it (recording is
     * batched, so it may lag by the batch interval); empty when nothing is recorded (callers then use
     * {@link Entry#lastModified()}). Cheap: no backend round trip per call is required. Issue 10.
     */
    default Optional<Instant> lastAccess(String key) throws IOException {
        return Optional.empty();
    }

    /**
     * Checks that the backend can be reached now, for the readiness check: one cheap round trip (an object
     * store's bucket), nothing written. The default, for local backends, does nothing.
     *
     * @throws IOException saying what cannot be reached, naming the setting that configures it
     */
    default void checkReachable() throws IOException {
    }

    /** Removes the entry, if any; returns whether there was one. Readers that have it open may finish. */
    boolean delete(String key) throws IOException;

    /**
     * A page of committed entries whose keys start with {@code prefix} and sort after {@code startAfter},
     * in ascending key order (String order; the same as S3 ListObjectsV2 for these keys). Content being
     * written never appears.
     *
     * @param prefix a plain string prefix ("" for all); its part up to the last '/' must be a valid key
     * @param startAfter the {@link Page#next() cursor} of the previous page, or null for the first page
     * @param limit at most this many items (1 to 1000)
     */
    Page list(String prefix, String startAfter, int limit) throws IOException;

    /** Committed entries and their bytes (content being written not counted). May walk everything: not per request. */
    Usage usage() throws IOException;

    /**
     * Whether a new write of {@code bytes} (-1: unknown size) should be attempted now; when not, callers
     * pass content through uncached. Cheap enough to call per request. Backends that cannot fill up say yes.
     */
    default boolean hasRoomFor(long bytes) {
        return true;
    }

    /** Removes temporary content left by an earlier process (call once at start-up); returns how many items. */
    int removeSpoolLeftovers() throws IOException;

    /**
     * When the previous process using this storage did not shut down cleanly: the instant this storage
     * was opened (entries modified before it were written by that process). Empty after a clean shutdown,
     * for a new storage, and for backends whose commits need no re-verification.
     */
    default Optional<Instant> uncleanShutdown() {
        return Optional.empty();
    }

    /** Tells the storage that entries left by an unclean shutdown have been re-verified ({@link CrashRecovery}). */
    default void recovered() {
    }

    /**
     * Content being written. One thread writes; any thread may {@link #openReader() read} what has been
     * written so far, also while and after the writer commits. Not visible under its key before
     * {@link #commit()}.
     */
    interface Writer extends Closeable {
        String key();

        /**
         * Appends all of {@code src}.
         *
         * @throws CacheWriteException when the storage cannot be written (reported to the free-space watch)
         */
        void write(ByteBuffer src) throws IOException;

        /** Bytes written so far. */
        long written();

        /**
         * A read-only channel over the bytes written so far, with its own position; reads never go past
         * what has been written. It stays valid across {@link #commit()} and after the writer is closed,
         * until the caller closes it (an aborted write may still be read by readers already open).
         *
         * @throws IOException once the writer is closed
         */
        SeekableByteChannel openReader() throws IOException;

        /**
         * Atomically and durably makes what was written the entry for the key (replacing any entry). Must
         * not be called twice, nor after {@link #abort()}. Does not close the writer.
         *
         * @throws CacheWriteException when the storage could not be written; nothing is committed
         */
        void commit() throws IOException;

        /** Discards what was written unless committed; idempotent, never throws. */
        void abort();

        /** Aborts unless committed, and releases the writer's resources. Idempotent. */
        @Override
        void close();
    }

    /** A committed entry. */
    interface Entry {
        String key();

        long size();

        /** When the entry was last written (committed). */
        Instant lastModified();

        /** Opens the content for reading; the caller closes the channel. */
        SeekableByteChannel open() throws IOException;

        /** The local file behind the entry, for zero-copy serving, when there is one. */
        Optional<Path> file();

        /** A URL clients may be redirected to for the content (a presigned URL of an object store), if any. */
        default Optional<URI> redirect() {
            return Optional.empty();
        }
    }

    /** A small value and the opaque version it was read at ({@link #readVersioned}). */
    record Versioned(byte[] value, String version) {
    }

    /** One listed entry. */
    record Item(String key, long size, Instant lastModified) {
    }

    /**
     * A page of a listing.
     *
     * @param next the {@code startAfter} for the following page, empty when this is the last page
     */
    record Page(List<Item> items, Optional<String> next) {
        public Page {
            items = List.copyOf(items);
        }
    }

    /** What is committed: number of entries and their total size in bytes. */
    record Usage(long entries, long bytes) {
    }
}
