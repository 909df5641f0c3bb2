package io.binaryrepo.pypi;

import io.binaryrepo.upstream.UpstreamException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A page's stored form as it is written, refused beyond a size cap with an {@link UpstreamException} of kind
 * INVALID (the cap bounds the memory one page costs; the refused page is not cached). Not thread-safe.
 */
final class CappedBuffer extends OutputStream {
    private final int max;
    private final String what;
    private byte[] buf = new byte[8192];
    private int count;

    CappedBuffer(int max, String what) {
        this.max = max;
        this.what = what;
    }

    @Override
    public void write(int b) throws UpstreamException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws UpstreamException {
        if ((long) count + len > max) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream " + what + " exceeds the limit of " + max + " bytes", null);
        }
        if (count + len > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max((long) buf.length * 2, (long) count + len)));
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }
}
