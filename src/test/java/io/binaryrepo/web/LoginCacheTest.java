package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import io.binaryrepo.web.LoginCache.Login;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LoginCacheTest {
    private final MutableClock clock = new MutableClock();
    private final Login alice = new Login("alice", Set.of("binaryrepo-read"));

    @Test
    void get_withinTtl_hit_afterTtl_miss() {
        LoginCache cache = new LoginCache(clock, Duration.ofSeconds(60), 10);
        cache.put("creds-a", alice);
        clock.advance(Duration.ofSeconds(59));
        assertEquals(Optional.of(alice), cache.get("creds-a"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), cache.get("creds-a"));
        assertEquals(0, cache.size(), "an expired entry is dropped when looked up");
    }

    @Test
    void get_otherCredentials_miss() {
        LoginCache cache = new LoginCache(clock, Duration.ofSeconds(60), 10);
        cache.put("creds-a", alice);
        assertEquals(Optional.empty(), cache.get("creds-b"));
        assertEquals(Optional.empty(), cache.get("creds-a "));
    }

    @Test
    void put_beyondBound_evictsLeastRecentlyUsed() {
        LoginCache cache = new LoginCache(clock, Duration.ofSeconds(60), 2);
        cache.put("a", alice);
        cache.put("b", alice);
        cache.get("a"); // b is now the least recently used
        cache.put("c", alice);
        assertEquals(2, cache.size());
        assertTrue(cache.get("a").isPresent());
        assertTrue(cache.get("b").isEmpty());
        assertTrue(cache.get("c").isPresent());
    }

    @Test
    void zeroTtl_cachesNothing() {
        LoginCache cache = new LoginCache(clock, Duration.ZERO, 2);
        cache.put("a", alice);
        assertEquals(0, cache.size());
        assertTrue(cache.get("a").isEmpty());
    }

    @Test
    void keys_areSaltedDigests_neverTheCredentials() throws Exception {
        String secret = "Basic " + UUID.randomUUID();
        LoginCache cache = new LoginCache(clock, Duration.ofSeconds(60), 2);
        cache.put(secret, alice);
        Field f = LoginCache.class.getDeclaredField("entries");
        f.setAccessible(true);
        Map<?, ?> entries = (Map<?, ?>) f.get(cache);
        String key = (String) entries.keySet().iterator().next();
        assertTrue(!key.contains(secret) && !secret.contains(key) && key.length() == 44, key);
        LoginCache other = new LoginCache(clock, Duration.ofSeconds(60), 2);
        other.put(secret, alice);
        assertTrue(!((Map<?, ?>) f.get(other)).containsKey(key), "salt differs per instance");
    }

    @Test
    void constructor_badBounds_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new LoginCache(clock, Duration.ofSeconds(-1), 2));
        assertThrows(IllegalArgumentException.class, () -> new LoginCache(clock, Duration.ofSeconds(1), 0));
    }
}
