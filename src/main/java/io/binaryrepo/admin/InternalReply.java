package io.binaryrepo.admin;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The answer to a prefetch's internal request (issue 10): the shared handler writes into it exactly as
 * into a client's response, so content arrives through the normal verified download. The body is counted
 * and dropped, or kept up to {@link #MAX_KEPT} bytes (manifests, which the prefetch reads); a cached entry
 * is counted without being read unless its body is kept. Used by one thread.
 */
final class InternalReply implements Reply {
    /** Largest body kept: Docker's manifest cap. */
    static final int MAX_KEPT = 4 * 1024 * 1024;

    private final boolean keep;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private int status = 200;
    private long bytes;
    private boolean tooLarge;
    private final OutputStream body = new OutputStream() {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            if (keep && !tooLarge) {
                if (kept.size() + len > MAX_KEPT) {
                    tooLarge = true;
                    kept.reset();
                } else {
                    kept.write(b, off, len);
                }
            }
        }
    };

    /** @param keep whether the body is kept (at most {@link #MAX_KEPT} bytes) */
    InternalReply(boolean keep) {
        this.keep = keep;
    }

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public void header(String name, String value) {
        // not needed: the prefetch reads status and body only
    }

    @Override
    public void contentType(String type) {
        // not needed
    }

    @Override
    public void contentLength(long length) {
        // not needed
    }

    @Override
    public OutputStream body() {
        return body;
    }

    @Override
    public void flush() {
        // nobody waits for the headers
    }

    @Override
    public boolean committed() {
        return bytes > 0;
    }

    @Override
    public boolean offload(Storage.Entry entry) {
        return false;
    }

    @Override
    public void send(Storage.Entry entry, long start, long end) throws IOException {
        if (!keep) {
            bytes += end - start; // cached and verified when it was committed: nothing to read
            return;
        }
        try (SeekableByteChannel ch = entry.open()) {
            ch.position(start);
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long left = end - start;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("cached entry " + entry.key() + " is shorter than its size");
                }
                body.write(buf.array(), 0, n);
                left -= n;
            }
        }
    }

    int status() {
        return status;
    }

    long bytes() {
        return bytes;
    }

    /** The kept body. @throws IOException when it was larger than {@link #MAX_KEPT} */
    byte[] kept() throws IOException {
        if (tooLarge) {
            throw new IOException("answer larger than " + MAX_KEPT + " bytes");
        }
        return kept.toByteArray();
    }
}
