package io.binaryrepo.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * A local spool file for backends that keep their entries elsewhere (an object store): content is
 * appended here while it streams to clients, readers read what has been written so far (the
 * {@link Storage.Writer#openReader()} contract, through the same {@link SharedChannel} as
 * {@link FileStorage}'s writer), and the backend uploads the file on commit. {@link #close()} unlinks the
 * file; readers already open keep reading it (the channel stays open until the last lets go). One writing
 * thread; {@link #openReader()} and {@link #written()} from any thread.
 */
public final class SpoolFile implements Closeable {
    private final Path path;
    private final SharedChannel shared;
    private volatile long written;
    private boolean closed;

    private SpoolFile(Path path, SharedChannel shared) {
        this.path = path;
        this.shared = shared;
    }

    /**
     * Creates a new, empty spool file {@code dl-<uuid>.part} in {@code dir} (which must exist).
     *
     * @throws IOException when it cannot be created
     */
    public static SpoolFile create(Path dir) throws IOException {
        Path p = dir.resolve("dl-" + UUID.randomUUID() + ".part");
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new SpoolFile(p, new SharedChannel(ch));
    }

    /** The file, for uploading it; valid until {@link #close()}. */
    public Path path() {
        return path;
    }

    /** Appends all of {@code src}. */
    public void write(ByteBuffer src) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IOException("spool file " + path.getFileName() + " is closed");
            }
        }
        long pos = written;
        while (src.hasRemaining()) {
            pos += shared.channel().write(src, pos);
        }
        written = pos;
    }

    /** Bytes written so far. */
    public long written() {
        return written;
    }

    /** A read-only channel over bytes written so far, with its own position; the caller closes it. */
    public synchronized SeekableByteChannel openReader() throws IOException {
        if (closed) {
            throw new IOException("spool file " + path.getFileName() + " is closed");
        }
        return shared.reader(() -> written);
    }

    /** Unlinks the file and lets go of the writer's hold on it; open readers finish. Idempotent, never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // removed at the next start-up (Storage.removeSpoolLeftovers)
        }
        shared.release();
    }
}
