package io.binaryrepo.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Successful logins for a short time, so that the dozens of requests of one pull ask the container's
 * realm (a password hash, an LDAP bind) once instead of each time (issue 12: a protected pull keeps at
 * least 80 % of the anonymous request rate).
 *
 * <p>Keyed by SHA-256 over a random per-instance salt and the {@code Authorization} credentials: the
 * password itself is never stored, and the key is useless outside this JVM. Failed logins are never
 * cached, so every wrong password reaches the realm and its {@code LockOutRealm}. A password changed or
 * a user removed in the realm keeps working until the entry expires ({@code ttl}).
 *
 * <p>Bounded: at most {@code maxEntries} logins; beyond that the least recently used is dropped.
 * Thread-safe (one lock around a small map; a hit is a digest and a map lookup).
 */
final class LoginCache {
    /** A login the realm accepted: the user name and which of the configured roles the user has. */
    record Login(String user, Set<String> roles) {
        Login {
            roles = Set.copyOf(roles);
        }
    }

    private record Entry(Login login, Instant expires) {
    }

    private final Clock clock;
    private final Duration ttl;
    private final int maxEntries;
    private final byte[] salt = new byte[32];
    private final Map<String, Entry> entries;

    /**
     * @param ttl how long a login is trusted without asking the realm again; zero disables the cache
     * @param maxEntries bound on cached logins (at least 1)
     */
    LoginCache(Clock clock, Duration ttl, int maxEntries) {
        if (ttl.isNegative() || maxEntries < 1) {
            throw new IllegalArgumentException("ttl must not be negative and maxEntries at least 1");
        }
        this.clock = clock;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        new SecureRandom().nextBytes(salt);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > LoginCache.this.maxEntries;
            }
        };
    }

    /** The cached login for these credentials (the {@code Authorization} value), if still fresh. */
    Optional<Login> get(String credentials) {
        if (ttl.isZero()) {
            return Optional.empty();
        }
        String key = key(credentials);
        Instant now = clock.instant();
        synchronized (entries) {
            Entry e = entries.get(key);
            if (e == null) {
                return Optional.empty();
            }
            if (!now.isBefore(e.expires)) {
                entries.remove(key);
                return Optional.empty();
            }
            return Optional.of(e.login);
        }
    }

    /** Remembers a login the realm accepted for {@code credentials}. */
    void put(String credentials, Login login) {
        if (ttl.isZero()) {
            return;
        }
        String key = key(credentials);
        Entry e = new Entry(login, clock.instant().plus(ttl));
        synchronized (entries) {
            entries.put(key, e);
        }
    }

    /** Number of cached logins (expired ones included until they are looked up or evicted). */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private String key(String credentials) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
        sha.update(salt);
        return Base64.getEncoder().encodeToString(sha.digest(credentials.getBytes(StandardCharsets.UTF_8)));
    }
}
