package io.binaryrepo.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-verifies, after an unclean shutdown ({@link Storage#uncleanShutdown()}), the entries the previous
 * process committed shortly before it died: with a power loss, a file whose data had not reached the disk
 * can come back empty or zero-filled (issue 17, "Integrity and durability"). Commits are durable now, but
 * disks and file systems lie, and a cache written by an older version had no fsync at all.
 *
 * <p>The crash moment is taken as the newest modification time among the previous process's entries;
 * entries modified within {@link #DEFAULT_WINDOW} before it are candidates. A content-addressed entry
 * (key ending in {@code blobs/sha256/<2 hex>/<64 hex>} or {@code manifests/sha256/...}, as Docker blobs
 * and manifests are stored; not the {@code _links/sha256/...} records, which only name a digest) is hashed and
 * deleted if it does not match; any other candidate is deleted so that it is fetched again. Runs on one
 * background daemon thread ({@link #start()}): serving does not wait for it (a client may be served a
 * damaged candidate before it is checked; Docker clients verify digests themselves). Progress is logged.
 * Uses only the {@link Storage} interface, so it works for every backend. Thread-safe.
 */
public final class CrashRecovery implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(CrashRecovery.class);
    /** How long before the crash an entry must have been written to be re-verified. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    private static final Pattern CONTENT_ADDRESSED = Pattern.compile(
            "(?:^|.*/)(?:blobs|manifests)/sha256/([0-9a-f]{2})/(\\1[0-9a-f]{62})");
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final int PAGE = 1000;

    private final Storage storage;
    private final Duration window;
    private volatile boolean stopped;
    private volatile Thread thread;

    public CrashRecovery(Storage storage) {
        this(storage, DEFAULT_WINDOW);
    }

    public CrashRecovery(Storage storage, Duration window) {
        this.storage = storage;
        this.window = window;
    }

    /** Starts re-verifying in the background if the storage reports an unclean shutdown; returns whether it did. */
    public boolean start() {
        if (storage.uncleanShutdown().isEmpty()) {
            return false;
        }
        Thread t = new Thread(() -> {
            try {
                run();
            } catch (IOException | RuntimeException e) {
                LOG.error("re-verifying the cache after an unclean shutdown failed (it runs again at the next start): {}",
                        e.toString());
            }
        }, "binaryrepo-crash-recovery");
        t.setDaemon(true);
        thread = t;
        t.start();
        return true;
    }

    /**
     * Re-verifies now, on the calling thread (nothing to do after a clean shutdown), then tells the storage
     * it has {@link Storage#recovered() recovered}.
     *
     * @return the outcome, empty when stopped before the end
     */
    public Optional<Result> run() throws IOException {
        Optional<Instant> opened = storage.uncleanShutdown();
        if (opened.isEmpty()) {
            return Optional.of(new Result(0, 0, 0));
        }
        Optional<Instant> newest = newestBefore(opened.get());
        if (newest.isEmpty()) {
            storage.recovered();
            return Optional.of(new Result(0, 0, 0));
        }
        Instant from = newest.get().minus(window);
        LOG.warn("binaryrepo did not shut down cleanly: re-verifying cache entries written between {} and {}",
                from, newest.get());
        long checked = 0;
        long hashed = 0;
        long deleted = 0;
        long lastLog = System.nanoTime();
        String cursor = null;
        do {
            Storage.Page page = storage.list("", cursor, PAGE);
            for (Storage.Item item : page.items()) {
                if (stopped) {
                    LOG.info("cache re-verification stopped after {} entries; it runs again at the next start", checked);
                    return Optional.empty();
                }
                if (item.lastModified().isBefore(from) || !item.lastModified().isBefore(opened.get())) {
                    continue;
                }
                checked++;
                var m = CONTENT_ADDRESSED.matcher(item.key());
                boolean keep = false;
                if (m.matches()) {
                    hashed++;
                    keep = matches(item.key(), m.group(2));
                }
                if (!keep && storage.delete(item.key())) {
                    deleted++;
                    if (m.matches()) {
                        LOG.warn("removed {}: written just before the unclean shutdown, content does not match its digest",
                                item.key());
                    } else {
                        // Metadata: many per image, refetched when needed; the summary counts them.
                        LOG.debug("removed {} written just before the unclean shutdown (will be fetched again)", item.key());
                    }
                }
                if (System.nanoTime() - lastLog > PROGRESS_EVERY_NANOS) {
                    lastLog = System.nanoTime();
                    LOG.info("re-verifying the cache: {} entries checked, {} removed so far", checked, deleted);
                }
            }
            cursor = page.next().orElse(null);
        } while (cursor != null);
        storage.recovered();
        LOG.info("cache re-verified after the unclean shutdown: {} entries checked ({} hashed), {} removed", checked,
                hashed, deleted);
        return Optional.of(new Result(checked, hashed, deleted));
    }

    /** What a run did: candidates looked at, of which hashed, and entries removed. */
    public record Result(long checked, long hashed, long deleted) {
    }

    private Optional<Instant> newestBefore(Instant opened) throws IOException {
        Instant newest = null;
        String cursor = null;
        do {
            Storage.Page page = storage.list("", cursor, PAGE);
            for (Storage.Item item : page.items()) {
                Instant t = item.lastModified();
                if (t.isBefore(opened) && (newest == null || t.isAfter(newest))) {
                    newest = t;
                }
            }
            cursor = page.next().orElse(null);
        } while (cursor != null && !stopped);
        return Optional.ofNullable(newest);
    }

    /** Whether the entry's SHA-256 is {@code hex}; a vanished entry counts as matching (nothing to remove). */
    private boolean matches(String key, String hex) throws IOException {
        Optional<Storage.Entry> e = storage.get(key);
        if (e.isEmpty()) {
            return true;
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException x) {
            throw new IllegalStateException(x);
        }
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (SeekableByteChannel ch = e.get().open()) {
            while (ch.read(buf.clear()) >= 0) {
                md.update(buf.flip());
            }
        }
        return HexFormat.of().formatHex(md.digest()).equals(hex);
    }

    /** Stops the background run (it starts again at the next start-up) and waits briefly for it. */
    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
