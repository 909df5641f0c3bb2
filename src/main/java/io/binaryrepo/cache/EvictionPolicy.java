package io.binaryrepo.cache;

import java.time.Duration;

/**
 * What eviction keeps (issue 10).
 *
 * @param maxBytes cap on committed bytes ({@code binaryrepo.storage.maxSize}); 0 or less: no cap
 * @param maxAge evict entries not read for this long ({@code binaryrepo.storage.maxAge}); null: never by age
 * @param grace entries read or written this recently are never evicted ({@code binaryrepo.storage.evictionGrace}):
 *     Tomcat's sendfile and a frontend offload open the file by name after binaryrepo has answered, so a
 *     just-served entry must still be there when they do; readers that have it open are safe anyway (the
 *     file system keeps an unlinked file's data until its last reader closes it)
 * @param flushInterval how often recorded reads are written out
 * @param checkInterval how often the age limit (and the cap, besides the check after each commit) is checked
 */
public record EvictionPolicy(long maxBytes, Duration maxAge, Duration grace, Duration flushInterval,
        Duration checkInterval) {
    /** Eviction removes least-recently-used entries until usage is at most this fraction of the cap. */
    public static final double TARGET = 0.9;
    /** The default grace period: far longer than a sendfile or an offload takes to open the file. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(1);

    /** No cap, no age limit: reads are still recorded (for the admin API), nothing is evicted. */
    public static final EvictionPolicy NONE = new EvictionPolicy(0, null, DEFAULT_GRACE, Duration.ofSeconds(10),
            Duration.ofMinutes(1));

    public EvictionPolicy {
        if (grace.isNegative() || flushInterval.isNegative() || flushInterval.isZero() || checkInterval.isNegative()
                || checkInterval.isZero() || (maxAge != null && maxAge.isNegative())) {
            throw new IllegalArgumentException("eviction durations must be positive");
        }
    }

    public boolean capped() {
        return maxBytes > 0;
    }

    /** The usage eviction brings the cache down to. */
    long target() {
        return (long) (maxBytes * TARGET);
    }
}
