package io.binaryrepo.s3;

import io.binaryrepo.cache.CacheWriteException;
import io.binaryrepo.cache.SpoolFile;
import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@link S3Storage}'s writer: appends to a local {@link SpoolFile} (readers stream it while it grows, and go
 * on reading it after the commit), hashing the bytes (sha256) as they come, and uploads the file on
 * {@link #commit()} ({@link S3Upload}). Closing removes the spool file. One writing thread;
 * {@link #openReader()} and {@link #written()} from any thread.
 */
final class S3Writer implements Storage.Writer {
    private final String key;
    private final String objectKey;
    private final SpoolFile spool;
    private final S3Upload upload;
    private final MessageDigest sha256;
    private String digest;
    private boolean committed;
    private boolean closed;

    S3Writer(String key, String objectKey, Path spoolDir, S3Upload upload) throws IOException {
        this.key = key;
        this.objectKey = objectKey;
        this.upload = upload;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        this.spool = SpoolFile.create(spoolDir);
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        checkWritable();
        sha256.update(src.duplicate());
        try {
            spool.write(src);
        } catch (IOException e) {
            throw new CacheWriteException("spool write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long written() {
        return spool.written();
    }

    @Override
    public SeekableByteChannel openReader() throws IOException {
        return spool.openReader();
    }

    /** Uploads the spool file; on failure nothing is visible under the key and the writer may still be read. */
    @Override
    public void commit() throws IOException {
        checkWritable();
        if (digest == null) {
            digest = HexFormat.of().formatHex(sha256.digest());
        }
        upload.upload(objectKey, spool.path(), spool.written(), digest);
        synchronized (this) {
            committed = true;
        }
    }

    @Override
    public synchronized void abort() {
        if (!closed) {
            closed = true;
            spool.close();
        }
    }

    @Override
    public void close() {
        abort();
    }

    private synchronized void checkWritable() throws IOException {
        if (closed || committed) {
            throw new IOException("writer of " + key + " is " + (committed ? "committed" : "closed"));
        }
    }
}
