package io.binaryrepo.cache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The running total of committed bytes and entries that eviction compares with the cap, kept without a
 * walk per request: every commit and delete through {@link TrackedStorage} adds its difference, and each
 * full listing (the background rebuild at start-up, every eviction scan) re-bases it. Until the first
 * listing ends the total is {@link #known() unknown} and no eviction is triggered. A commit that lands
 * during a listing at a key the listing has not reached yet is counted twice until the next listing: the
 * total errs high (earlier eviction), never low. Access records are not counted. Thread-safe.
 */
final class UsageCount {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong entries = new AtomicLong();
    private volatile boolean known;

    void add(long deltaBytes, long deltaEntries) {
        bytes.addAndGet(deltaBytes);
        entries.addAndGet(deltaEntries);
    }

    long bytes() {
        return bytes.get();
    }

    long entries() {
        return entries.get();
    }

    boolean known() {
        return known;
    }

    /** A snapshot to pass to {@link #rebase} when the listing that starts now ends. */
    long[] mark() {
        return new long[] {bytes.get(), entries.get()};
    }

    /**
     * Sets the total to what a listing that began at {@code mark} counted, plus every difference added
     * since the mark.
     */
    void rebase(long[] mark, long listedBytes, long listedEntries) {
        bytes.addAndGet(listedBytes - mark[0]);
        entries.addAndGet(listedEntries - mark[1]);
        known = true;
    }
}
