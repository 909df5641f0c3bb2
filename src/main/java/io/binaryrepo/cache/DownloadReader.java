package io.binaryrepo.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** The copy loop of {@link Download#copyTo}: one reader streaming the growing content to its client. */
final class DownloadReader {
    private static final int BUFFER = 64 * 1024;

    private DownloadReader() {
    }

    /** Copies {@code [start, end)} ({@code end} -1: to the end) from {@code ch} as {@code d} makes it readable. */
    static void copy(Download d, SeekableByteChannel ch, OutputStream out, long start, long end)
            throws IOException, InterruptedException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = start;
        long flushed = start;
        while (true) {
            if (pos > flushed) {
                // About to wait for upstream: let the client have what it has so far.
                out.flush();
                flushed = pos;
            }
            Download.Readable r = d.awaitReadable(start, pos, end);
            long limit = end < 0 ? r.limit() : Math.min(r.limit(), end);
            while (pos < limit) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), limit - pos));
                ch.position(pos);
                int n = ch.read(buf);
                if (n < 0) {
                    throw new DownloadFailedException("content of " + d.key() + " ended early", null);
                }
                out.write(buf.array(), 0, n);
                pos += n;
            }
            if ((end >= 0 && pos >= end) || (r.complete() && pos >= r.limit())) {
                return;
            }
        }
    }
}
