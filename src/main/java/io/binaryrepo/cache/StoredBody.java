package io.binaryrepo.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The body of a document too large to hold in memory ({@link MutableDocuments.Streamed}): a span of its
 * committed storage entry, read anew by every use, so any number of concurrent readers cost a buffer each
 * and never a copy of the document (issue 17). Immutable and thread-safe; each {@link #open()} is used by
 * one thread.
 */
public final class StoredBody {
    private final Storage.Entry entry;
    private final long offset;
    private final long length;

    StoredBody(Storage.Entry entry, long offset) {
        this.entry = entry;
        this.offset = offset;
        this.length = entry.size() - offset;
    }

    /** The body's length in bytes. */
    public long length() {
        return length;
    }

    /**
     * Opens the body for reading from its first byte; the caller closes the stream.
     *
     * @throws IOException when the entry cannot be read, or was replaced by another version since this body was
     *     found (its size differs; the document cache then has the new version for the next request)
     */
    public InputStream open() throws IOException {
        SeekableByteChannel ch = entry.open();
        try {
            if (ch.size() != entry.size()) {
                throw new IOException("document " + entry.key() + " was replaced while being read");
            }
            ch.position(offset);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new InputStream() {
            private long left = length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)));
                if (n < 0) {
                    throw new IOException("document " + entry.key() + " is shorter than recorded");
                }
                left -= n;
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
