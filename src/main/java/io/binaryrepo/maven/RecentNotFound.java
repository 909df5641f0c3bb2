package io.binaryrepo.maven;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The artifacts upstream recently said do not exist (404/410), remembered for a short time: Maven asks
 * every repository for every POM and jar it resolves, and a mirror of {@code *} sends all of those probes
 * here (Reposilite keeps no negative cache: reposilite #2221). Only authoritative answers are remembered,
 * never failures. Bounded to {@value #MAX_ENTRIES} entries (the least recently added are dropped first);
 * thread-safe.
 */
final class RecentNotFound {
    static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Long> expiry = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** @param ttl how long a "not found" is remembered; zero: never */
    RecentNotFound(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Remembers that upstream said {@code key} does not exist. */
    void remember(String key) {
        if (ttl.isZero()) {
            return;
        }
        long until = clock.millis() + ttl.toMillis();
        synchronized (expiry) {
            expiry.remove(key);
            expiry.put(key, until);
        }
    }

    /** Whether upstream said {@code key} does not exist less than the TTL ago. */
    boolean contains(String key) {
        synchronized (expiry) {
            Long until = expiry.get(key);
            if (until == null) {
                return false;
            }
            if (clock.millis() >= until) {
                expiry.remove(key);
                return false;
            }
            return true;
        }
    }

    /** Forgets {@code key} (upstream now has it). */
    void forget(String key) {
        synchronized (expiry) {
            expiry.remove(key);
        }
    }

    int size() {
        synchronized (expiry) {
            return expiry.size();
        }
    }
}
