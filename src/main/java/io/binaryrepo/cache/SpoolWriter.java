package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@link FileStorage}'s writer: a spool file in {@code <root>/.spool}, committed by forcing its data to
 * disk, renaming it onto the entry's path (atomic on one file system) and syncing the directory
 * (issue 17, "Integrity and durability"). Its channel is shared with the readers
 * ({@link SharedChannel}), so readers that are mid-stream when the commit renames the file keep reading
 * the same bytes. One writing thread; {@link #openReader()} and {@link #written()} from any thread.
 */
final class SpoolWriter implements Storage.Writer {
    private final FileStorage storage;
    private final String key;
    private final Path target;
    private final Path spoolFile;
    private final SharedChannel shared;
    private final boolean reportFailures;
    private volatile long written;
    private boolean committed;
    private boolean released;

    /** Creates the spool file (umask permissions, see {@link FileStorage#writer}). */
    SpoolWriter(FileStorage storage, String key, Path target, Path spoolFile, boolean reportFailures) throws IOException {
        this.storage = storage;
        this.key = key;
        this.target = target;
        this.spoolFile = spoolFile;
        this.reportFailures = reportFailures;
        this.shared = new SharedChannel(FileChannel.open(spoolFile, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        checkWritable();
        try {
            long pos = written;
            while (src.hasRemaining()) {
                pos += shared.channel().write(src, pos);
            }
            written = pos;
        } catch (IOException e) {
            throw failed("cache write failed", e);
        }
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public synchronized SeekableByteChannel openReader() throws IOException {
        if (released) {
            throw new IOException("writer of " + key + " is closed");
        }
        return shared.reader(() -> written);
    }

    @Override
    public void commit() throws IOException {
        checkWritable();
        try {
            storage.durability().force(shared.channel());
            storage.moveIntoPlace(spoolFile, target);
            committed = true;
        } catch (IOException e) {
            throw failed("cache commit failed", e);
        }
    }

    @Override
    public synchronized void abort() {
        if (!committed) {
            try {
                Files.deleteIfExists(spoolFile);
            } catch (IOException ignored) {
                // removed at next start-up (removeSpoolLeftovers)
            }
        }
        if (!released) {
            released = true;
            shared.release();
        }
    }

    @Override
    public void close() {
        abort();
    }

    private synchronized void checkWritable() throws IOException {
        if (released || committed) {
            throw new IOException("writer of " + key + " is " + (committed ? "committed" : "closed"));
        }
    }

    private CacheWriteException failed(String what, IOException e) {
        if (reportFailures) {
            storage.reportWriteFailure(e);
        }
        return new CacheWriteException(what + ": " + e.getMessage(), e);
    }
}
