package io.binaryrepo.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream download into a spool file, shared by every request for the same key.
 *
 * <p>The download runs on a {@link Downloads} thread, not on a request thread, so a client that
 * disconnects does not cancel it. Readers ({@link #copyTo}) stream from the spool file as it grows.
 * When upstream finishes, the spool file is checked against the {@link ContentCheck} and committed
 * atomically; on any failure nothing is committed and every reader gets a
 * {@link DownloadFailedException}. A reader never writes the last byte of a body of known length
 * before the content is verified, so a client whose download fails sees a short body (an error),
 * never a complete-looking wrong one.
 *
 * <p>Thread-safe: one writer thread, any number of reader threads.
 */
public final class Download {
    private static final Logger LOG = LoggerFactory.getLogger(Download.class);
    private static final int BUFFER = 64 * 1024;

    private enum State { STARTING, STREAMING, COMPLETE, FAILED }

    private final String key;
    private final Object origin;
    private final Storage storage;
    private final DiskSpace space;
    private final Runnable detach;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // guarded by lock
    private State state = State.STARTING;
    private long length = -1;
    private String contentType;
    private long written;
    private IOException failure;
    private Path spoolFile;

    /** @param detach removes this download from the in-flight set; run before the final state is published */
    Download(String key, Object origin, Storage storage, DiskSpace space, Runnable detach) {
        this.key = key;
        this.origin = origin;
        this.storage = storage;
        this.space = space;
        this.detach = detach;
    }

    public String key() {
        return key;
    }

    /** Who started this download (for example the repository and image name); compared by equals. */
    public Object origin() {
        return origin;
    }

    /** What upstream announced. */
    public record Head(long length, String contentType) {
    }

    /**
     * Waits until upstream has answered.
     *
     * @throws IOException the download's failure if it failed before (or while) answering; its cause is
     *     the original exception (for example an upstream error with a status to pass on)
     */
    public Head awaitHead(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (state == State.STARTING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new java.net.SocketTimeoutException("upstream did not answer within " + timeout);
                }
                changed.awaitNanos(left);
            }
            if (state == State.FAILED && written == 0) {
                throw failure;
            }
            return new Head(length, contentType);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for upstream", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Streams bytes {@code [start, end)} of the content to {@code out} as they arrive, waiting for the
     * download where needed. {@code end} of -1 means "to the end". Does not close {@code out}.
     *
     * @throws DownloadFailedException when the download fails; the caller must abort its response
     * @throws IOException when writing to {@code out} fails (client gone); the download goes on
     */
    public void copyTo(OutputStream out, long start, long end) throws IOException {
        try (SeekableByteChannel ch = openChannel()) {
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            long pos = start;
            long flushed = start;
            while (true) {
                long readable;
                boolean complete;
                if (pos > flushed) {
                    // About to wait for upstream: let the client have what it has so far.
                    out.flush();
                    flushed = pos;
                }
                lock.lock();
                try {
                    while (state == State.STREAMING && readableLimit() <= pos && (end < 0 || pos < end)) {
                        changed.await(1, TimeUnit.SECONDS);
                    }
                    if (state == State.FAILED) {
                        throw new DownloadFailedException("download of " + key + " failed: " + failure.getMessage(), failure,
                                pos - start);
                    }
                    complete = state == State.COMPLETE;
                    readable = complete ? written : readableLimit();
                } finally {
                    lock.unlock();
                }
                long limit = end < 0 ? readable : Math.min(readable, end);
                while (pos < limit) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), limit - pos));
                    ch.position(pos);
                    int n = ch.read(buf);
                    if (n < 0) {
                        throw new DownloadFailedException("spool file of " + key + " ended early", null);
                    }
                    out.write(buf.array(), 0, n);
                    pos += n;
                }
                if ((end >= 0 && pos >= end) || (complete && pos >= readable)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Bytes a reader may send now: all written bytes, but the last one only once verified. */
    private long readableLimit() {
        if (length >= 0 && written >= length) {
            return length - 1;
        }
        return written;
    }

    private SeekableByteChannel openChannel() throws IOException {
        lock.lock();
        try {
            // Opened under the lock: the commit (a rename) also happens under it, so the reader gets
            // either the spool file or the committed entry, never a path that just vanished.
            if (state == State.COMPLETE) {
                return storage.get(key).orElseThrow(() -> new IOException("committed entry " + key + " vanished")).open();
            }
            if (state == State.FAILED) {
                throw new DownloadFailedException("download of " + key + " failed: " + failure.getMessage(), failure, 0);
            }
            return FileChannel.open(spoolFile, StandardOpenOption.READ);
        } finally {
            lock.unlock();
        }
    }

    /** Runs the download; called once, on a download thread. */
    void run(Source source, ContentCheck planned, Runnable afterCommit) {
        Path spool = null;
        try {
            if (storage.exists(key)) {
                // Committed by a download that finished between the caller's cache miss and this start.
                long size = storage.get(key).map(Storage.Entry::size).orElse(-1L);
                detach.run();
                lock.lock();
                try {
                    length = size;
                    written = size;
                    state = State.COMPLETE;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                return;
            }
            if (space != null && !space.hasRoomFor(-1)) {
                throw new CacheWriteException("cache full", null);
            }
            try {
                spool = storage.createSpoolFile();
            } catch (IOException e) {
                throw cacheWriteFailed(e);
            }
            lock.lock();
            try {
                spoolFile = spool;
            } finally {
                lock.unlock();
            }
            try (UpstreamBody body = source.open()) {
                ContentCheck check = body.check(planned);
                long announced = body.length();
                if (check.expectedSize() >= 0 && announced >= 0 && announced != check.expectedSize()) {
                    throw new IOException("upstream announced " + announced + " bytes for " + key + ", expected "
                            + check.expectedSize());
                }
                if (space != null && announced > 0 && !space.hasRoomFor(announced)) {
                    throw new CacheWriteException("no room in the cache for " + announced + " bytes", null);
                }
                lock.lock();
                try {
                    length = announced >= 0 ? announced : check.expectedSize();
                    contentType = body.contentType();
                    state = State.STREAMING;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                fill(body.stream(), spool, check);
            }
            lock.lock();
            try {
                try {
                    storage.commit(key, spool);
                } catch (IOException e) {
                    throw cacheWriteFailed(e);
                }
                // Leave the in-flight set before anyone hears of the end, so a request that follows
                // finds the committed entry (or starts afresh), never this finished download.
                detach.run();
                state = State.COMPLETE;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            afterCommit.run();
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e.toString(), e));
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // removed at next start-up
                }
            }
        }
    }

    private void fill(InputStream in, Path spool, ContentCheck check) throws IOException {
        MessageDigest md = check.newDigest();
        byte[] buf = new byte[BUFFER];
        long total = 0;
        try (FileChannel ch = FileChannel.open(spool, StandardOpenOption.WRITE)) {
            int n;
            while ((n = in.read(buf)) != -1) {
                md.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                try {
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                } catch (IOException e) {
                    throw cacheWriteFailed(e);
                }
                total += n;
                if (length >= 0 && total > length) {
                    throw new IOException("upstream sent more than the " + length + " bytes announced for " + key);
                }
                lock.lock();
                try {
                    written = total;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
        if (length >= 0 && total != length) {
            throw new IOException("upstream closed after " + total + " of " + length + " bytes of " + key);
        }
        if (!check.matches(md)) {
            throw new IOException("content from upstream does not match " + key + " (" + total + " bytes); not cached");
        }
    }

    private CacheWriteException cacheWriteFailed(IOException e) {
        if (space != null) {
            space.reportWriteFailure(e);
        }
        return new CacheWriteException("cache write failed: " + e.getMessage(), e);
    }

    private void fail(IOException e) {
        if (e instanceof CacheWriteException) {
            // DiskSpace logs the condition once; readers pass the content through.
            LOG.debug("download of {} not cached: {}", key, e.getMessage());
        } else {
            LOG.warn("download of {} failed: {}", key, e.getMessage());
        }
        // A client told of this failure may retry at once: it must start a new download, not rejoin this one.
        detach.run();
        lock.lock();
        try {
            failure = e;
            state = State.FAILED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Opens the upstream response for a download. */
    @FunctionalInterface
    public interface Source {
        /** @throws IOException when upstream cannot be reached or refuses; passed to every waiting reader */
        UpstreamBody open() throws IOException;
    }
}
