package io.binaryrepo.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing side of a {@link Download}: opens upstream, streams the body into a {@link Storage.Writer}
 * while hashing it, verifies size and digest, commits (outside the download's lock, so readers are never
 * held up by a commit) and tells the download of each step. Runs once, on one download thread.
 */
final class DownloadRun {
    private static final Logger LOG = LoggerFactory.getLogger(Download.class);
    private static final int BUFFER = 64 * 1024;

    private final Download d;
    private final Storage storage;

    DownloadRun(Download d, Storage storage) {
        this.d = d;
        this.storage = storage;
    }

    /** Runs the download (nothing if it was refused first); every failure ends in {@link Download#fail}. */
    void run(Download.Source source, ContentCheck planned, Runnable afterCommit) {
        if (!d.begin()) {
            return;
        }
        String key = d.key();
        Storage.Writer w = null;
        try {
            if (storage.exists(key)) {
                // Committed by a download that finished between the caller's cache miss and this start.
                d.complete(storage.get(key).map(Storage.Entry::size).orElse(-1L));
                return;
            }
            if (!storage.hasRoomFor(-1)) {
                throw new CacheWriteException("cache full", null);
            }
            w = storage.writer(key);
            d.writing(w);
            try (UpstreamBody body = source.open()) {
                // The check may depend on upstream's answer (Maven's X-Checksum-* headers).
                ContentCheck check = body.check(planned);
                long announced = body.length();
                if (check.expectedSize() >= 0 && announced >= 0 && announced != check.expectedSize()) {
                    throw new IOException("upstream announced " + announced + " bytes for " + key + ", expected "
                            + check.expectedSize());
                }
                if (announced > 0 && !storage.hasRoomFor(announced)) {
                    throw new CacheWriteException("no room in the cache for " + announced + " bytes", null);
                }
                d.streaming(announced >= 0 ? announced : check.expectedSize(), body.contentType(), check);
                fill(body.stream(), w, check);
                if (check.verifier() != null) {
                    try (SeekableByteChannel content = w.openReader()) {
                        check.verifier().verify(content, w.written());
                    }
                }
            }
            // Readers keep streaming (from the same open content) while the commit forces and renames;
            // only the last byte waits for COMPLETE.
            w.commit();
            d.complete(-1);
            w.close();
        } catch (IOException | RuntimeException e) {
            d.fail(e instanceof IOException io ? io : new IOException(e.toString(), e));
            if (w != null) {
                w.abort();
            }
            return;
        }
        try {
            afterCommit.run();
        } catch (RuntimeException e) {
            // The content is committed and served; only the follow-up (for example a link record) failed.
            LOG.warn("after committing {}: {}", key, e.toString());
        }
    }

    private void fill(InputStream in, Storage.Writer w, ContentCheck check) throws IOException {
        String key = d.key();
        long length = d.length();
        MessageDigest md = check.newDigest();
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            md.update(buf, 0, n);
            w.write(ByteBuffer.wrap(buf, 0, n));
            total += n;
            if (length >= 0 && total > length) {
                throw new IOException("upstream sent more than the " + length + " bytes announced for " + key);
            }
            if (d.progress(total)) {
                throw new Abandoned("every client left " + key + " after " + total + " bytes with more than "
                        + d.abandonLimit() + " to go; cancelled, not cached");
            }
        }
        if (length >= 0 && total != length) {
            throw new IOException("upstream closed after " + total + " of " + length + " bytes of " + key);
        }
        if (!check.matches(md)) {
            throw new IOException("content from upstream does not match " + key + " (" + total + " bytes); not cached");
        }
    }

    /** The download was cancelled because its clients left (see {@link Downloads.Limits#abandonLimit()}). */
    static final class Abandoned extends IOException {
        private static final long serialVersionUID = 1L;

        Abandoned(String message) {
            super(message);
        }
    }
}
