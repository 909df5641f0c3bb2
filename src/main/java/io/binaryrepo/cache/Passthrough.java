package io.binaryrepo.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Streams an upstream body straight to one client without caching it (used when the cache cannot be
 * written). The body is still verified: the last chunk is held back until the digest and size are
 * checked, so a client never receives a complete-looking wrong body. Stateless.
 */
public final class Passthrough {
    private static final int BUFFER = 64 * 1024;

    private Passthrough() {
    }

    /**
     * Copies bytes {@code [start, end)} of the verified content to {@code out}; {@code end} of -1 means to
     * the end. The whole body is read (and hashed) whatever the range.
     *
     * @throws DownloadFailedException when the body is short, long or does not match {@code check}; the
     *     caller must abort its response
     * @throws IOException when upstream or the client fails
     */
    public static void copy(InputStream in, long announcedLength, ContentCheck check, OutputStream out, long start,
            long end) throws IOException {
        MessageDigest md = check.newDigest();
        byte[] buf = new byte[BUFFER];
        byte[] held = new byte[BUFFER];
        int heldLen = 0;
        long pos = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            md.update(buf, 0, n);
            // Emit the previously held chunk, hold this one.
            emit(out, held, heldLen, pos - heldLen, start, end);
            byte[] t = held;
            held = buf;
            buf = t;
            heldLen = n;
            pos += n;
        }
        long expected = check.expectedSize() >= 0 ? check.expectedSize() : announcedLength;
        if (expected >= 0 && pos != expected) {
            throw new DownloadFailedException("upstream sent " + pos + " of " + expected + " bytes", null);
        }
        if (!check.matches(md)) {
            throw new DownloadFailedException("content from upstream does not match its digest", null);
        }
        emit(out, held, heldLen, pos - heldLen, start, end);
    }

    /** Writes the part of {@code chunk} (at content offset {@code offset}) that lies in {@code [start, end)}. */
    private static void emit(OutputStream out, byte[] chunk, int len, long offset, long start, long end) throws IOException {
        if (len == 0) {
            return;
        }
        long from = Math.max(offset, start);
        long to = end < 0 ? offset + len : Math.min(offset + len, end);
        if (to > from) {
            out.write(chunk, (int) (from - offset), (int) (to - from));
        }
    }
}
