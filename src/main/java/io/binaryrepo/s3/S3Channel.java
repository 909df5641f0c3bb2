package io.binaryrepo.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A read-only channel over one object version: the first read at a position opens a GET with one
 * {@code Range: bytes=<position>-} (to the end: serving a single client range reads on from its start) and
 * {@code If-Match: <etag>}, so a replaced object fails the read (412) rather than mixing two versions;
 * reads go on from that stream while the position follows, a seek elsewhere opens a new one. Closing
 * before the end drops the connection (cheaper than draining a large rest). One thread at a time.
 */
final class S3Channel implements SeekableByteChannel {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long size;
    private final String etag;
    private ResponseInputStream<GetObjectResponse> stream;
    private long streamPosition;
    private long position;
    private boolean open = true;
    private byte[] scratch;

    S3Channel(S3Client s3, String bucket, String key, long size, String etag) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
        this.etag = etag;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (stream == null || streamPosition != position) {
            reopen();
        }
        int want = (int) Math.min(dst.remaining(), size - position);
        int n;
        try {
            if (dst.hasArray()) {
                n = stream.read(dst.array(), dst.arrayOffset() + dst.position(), want);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            } else {
                if (scratch == null || scratch.length < Math.min(want, 64 * 1024)) {
                    scratch = new byte[64 * 1024];
                }
                n = stream.read(scratch, 0, Math.min(want, scratch.length));
                if (n > 0) {
                    dst.put(scratch, 0, n);
                }
            }
        } catch (SdkException e) {
            throw new IOException("reading " + key + " from bucket " + bucket + " failed: " + e.getMessage(), e);
        }
        if (n < 0) {
            throw new IOException("object " + key + " in bucket " + bucket + " ended at " + position + " of " + size
                    + " bytes");
        }
        position += n;
        streamPosition = position;
        return n;
    }

    private void reopen() throws IOException {
        dropStream();
        long from = position;
        try {
            stream = s3.getObject(b -> b.bucket(bucket).key(key).range("bytes=" + from + "-" + (size - 1))
                    .ifMatch(etag));
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                throw new IOException("object " + key + " in bucket " + bucket + " changed or vanished while being "
                        + "read (" + e.statusCode() + ")", e);
            }
            throw new IOException("GET " + key + " from bucket " + bucket + " answered " + e.statusCode(), e);
        } catch (SdkException e) {
            throw new IOException("GET " + key + " from bucket " + bucket + " failed: " + e.getMessage(), e);
        }
        streamPosition = from;
    }

    private void dropStream() {
        if (stream != null) {
            if (streamPosition < size) {
                stream.abort();
            }
            try {
                stream.close();
            } catch (IOException | RuntimeException ignored) {
                // the connection is discarded either way
            }
            stream = null;
        }
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
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
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            dropStream();
        }
    }

    private void ensureOpen() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
