package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One open {@link FileChannel} shared by a spool writer and the readers of what it has written, closed
 * when the last of them lets go (reference count). Only positional reads and writes are used, so the
 * users never disturb each other, and an open channel stays valid when its file is renamed (the commit)
 * or unlinked (an abort). Thread-safe.
 */
final class SharedChannel {
    private final FileChannel channel;
    private final AtomicInteger refs = new AtomicInteger(1);

    /** Wraps {@code channel}, held once by the creator; {@link #release()} it when done. */
    SharedChannel(FileChannel channel) {
        this.channel = channel;
    }

    FileChannel channel() {
        return channel;
    }

    /** Takes one more hold; fails once the channel has been closed. */
    void retain() throws IOException {
        int n;
        do {
            n = refs.get();
            if (n <= 0) {
                throw new ClosedChannelException();
            }
        } while (!refs.compareAndSet(n, n + 1));
    }

    /** Lets go of one hold; the last closes the channel. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only use at this point: nothing can be lost
            }
        }
    }

    /**
     * A read-only channel with its own position over bytes {@code [0, limit)}, where the limit (what has
     * been written so far) may grow. Takes a hold, released by closing it.
     */
    SeekableByteChannel reader(LongSupplier limit) throws IOException {
        retain();
        return new Reader(limit);
    }

    private final class Reader implements SeekableByteChannel {
        private final LongSupplier limit;
        private volatile boolean open = true;
        private long position;

        Reader(LongSupplier limit) {
            this.limit = limit;
        }

        @Override
        public synchronized int read(ByteBuffer dst) throws IOException {
            ensureOpen();
            long available = limit.getAsLong() - position;
            if (available <= 0) {
                return -1;
            }
            ByteBuffer view = dst;
            if (dst.remaining() > available) {
                view = dst.slice().limit((int) available);
            }
            int n = channel.read(view, position);
            if (view != dst && n > 0) {
                dst.position(dst.position() + n);
            }
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public synchronized long position() throws IOException {
            ensureOpen();
            return position;
        }

        @Override
        public synchronized SeekableByteChannel position(long newPosition) throws IOException {
            ensureOpen();
            if (newPosition < 0) {
                throw new IllegalArgumentException("negative position");
            }
            position = newPosition;
            return this;
        }

        @Override
        public long size() throws IOException {
            ensureOpen();
            return limit.getAsLong();
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public synchronized void close() {
            if (open) {
                open = false;
                release();
            }
        }

        private void ensureOpen() throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
        }
    }
}
