package io.binaryrepo.cache;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream body the test feeds chunk by chunk, so a download's progress is under the test's control.
 * Thread-safe: the test feeds, the download thread reads.
 */
final class FeedBody implements UpstreamBody {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final long length;
    final AtomicInteger opened = new AtomicInteger();
    volatile boolean closed;

    FeedBody(long length) {
        this.length = length;
    }

    /** A {@link Download.Source} answering with this body (counting how often it is opened). */
    Download.Source source() {
        return () -> {
            opened.incrementAndGet();
            return this;
        };
    }

    void feed(byte[] chunk) {
        chunks.add(chunk);
    }

    void end() {
        chunks.add(EOF);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public String contentType() {
        return "application/octet-stream";
    }

    @Override
    public InputStream stream() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (current != EOF && pos == current.length) {
                    try {
                        byte[] next = chunks.poll(60, TimeUnit.SECONDS);
                        if (next == null) {
                            throw new IOException("test did not feed the body");
                        }
                        current = next;
                        pos = 0;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
                if (current == EOF) {
                    return -1;
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
