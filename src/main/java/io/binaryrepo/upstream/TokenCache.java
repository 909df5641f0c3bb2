package io.binaryrepo.upstream;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bearer tokens of one repository, keyed by realm, service and scope. The scope holds an image name
 * a client chose, so the cache is bounded (issue 17): at most {@code maxEntries} tokens and at most
 * {@code maxChars} token characters; past either bound the least recently used tokens are dropped
 * (they are fetched again when needed). An expired token is never returned and is dropped when met.
 * Thread-safe (one lock; every operation is O(1) apart from evicting).
 */
final class TokenCache {
    /** Default entry bound: many more images than a site pulls within one token lifetime. */
    static final int DEFAULT_MAX_ENTRIES = 1024;
    /** Default size bound: 4 Mi characters (8 MiB); registry tokens are 1-4 KiB. */
    static final long DEFAULT_MAX_CHARS = 4L << 20;

    private record Entry(String value, Instant expires) {
    }

    private final Clock clock;
    private final int maxEntries;
    private final long maxChars;
    /** Access order: the eldest entry is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long chars;

    TokenCache(Clock clock, int maxEntries, long maxChars) {
        if (maxEntries < 1 || maxChars < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.clock = clock;
        this.maxEntries = maxEntries;
        this.maxChars = maxChars;
    }

    /** The token for {@code key} while it has not expired, else null. */
    synchronized String get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!clock.instant().isBefore(e.expires())) {
            remove(key);
            return null;
        }
        return e.value();
    }

    /** Caches {@code value} until {@code expires}; a token larger than the whole budget is not kept. */
    synchronized void put(String key, String value, Instant expires) {
        remove(key);
        if (value.length() > maxChars) {
            return;
        }
        entries.put(key, new Entry(value, expires));
        chars += value.length();
        evict();
    }

    synchronized void remove(String key) {
        Entry old = entries.remove(key);
        if (old != null) {
            chars -= old.value().length();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * Drops the least recently used tokens until within bounds. Expired tokens are not searched for
     * (that would cost a scan per insertion); they are dropped when met or when they become the eldest.
     */
    private void evict() {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
                it.hasNext() && (entries.size() > maxEntries || chars > maxChars); ) {
            chars -= it.next().getValue().value().length();
            it.remove();
        }
    }
}
