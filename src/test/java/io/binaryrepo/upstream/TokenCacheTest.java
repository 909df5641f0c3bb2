package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 17: the token cache is bounded under hostile scopes and never hands out an expired token. */
class TokenCacheTest {
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger fetches = new AtomicInteger();

    private TokenAuthenticator authenticator(Duration lifetime) throws Exception {
        TokenAuthenticator a = new TokenAuthenticator(URI.create("https://registry.example"), null, clock,
                new TokenCache(clock, TokenCache.DEFAULT_MAX_ENTRIES, TokenCache.DEFAULT_MAX_CHARS),
                (realm, service, scope, credentials) ->
                        new TokenAuthenticator.Token("t" + fetches.incrementAndGet(), lifetime));
        // Learn the realm as from a registry's 401.
        a.onUnauthorized("Bearer realm=\"https://auth.registry.example/token\",service=\"registry\"", "first");
        return a;
    }

    @Test
    void aMillionDistinctScopes_leaveTheCacheAtItsBound() throws Exception {
        TokenAuthenticator a = authenticator(Duration.ofMinutes(5));

        for (int i = 0; i < 1_000_000; i++) {
            a.authorization("repository:library/r" + i + ":pull");
        }

        assertEquals(TokenCache.DEFAULT_MAX_ENTRIES, a.cachedTokens());
        assertEquals(1_000_001, fetches.get(), "one token request per new scope");
    }

    @Test
    void expiredToken_isNeverReturned_andANewOneIsFetched() throws Exception {
        TokenAuthenticator a = authenticator(Duration.ofSeconds(300));
        Optional<String> first = a.authorization("repository:lib/app:pull");
        assertEquals(first, a.authorization("repository:lib/app:pull"), "cached while valid");

        clock.advance(Duration.ofSeconds(300));

        Optional<String> after = a.authorization("repository:lib/app:pull");
        assertTrue(after.isPresent() && !after.equals(first), "expired token handed out: " + after);
    }

    @Test
    void cache_returnsNullAtExpiry_andDropsTheEntry() {
        TokenCache c = new TokenCache(clock, 10, 1000);
        c.put("k", "v", clock.instant().plusSeconds(60));
        assertEquals("v", c.get("k"));

        clock.advance(Duration.ofSeconds(60));

        assertNull(c.get("k"));
        assertEquals(0, c.size());
    }

    @Test
    void cache_evictsTheLeastRecentlyUsed() {
        TokenCache c = new TokenCache(clock, 2, 1000);
        c.put("a", "1", clock.instant().plusSeconds(60));
        c.put("b", "2", clock.instant().plusSeconds(60));
        c.get("a");
        c.put("c", "3", clock.instant().plusSeconds(60));

        assertEquals("1", c.get("a"), "recently used survives");
        assertNull(c.get("b"), "least recently used is dropped");
        assertEquals("3", c.get("c"));
    }

    @Test
    void cache_boundsTheTotalTokenSize() {
        TokenCache c = new TokenCache(clock, 100, 10);
        c.put("a", "12345", clock.instant().plusSeconds(60));
        c.put("b", "12345", clock.instant().plusSeconds(60));
        c.put("c", "123", clock.instant().plusSeconds(60));
        c.put("huge", "12345678901", clock.instant().plusSeconds(60));

        assertNull(c.get("a"), "dropped to make room");
        assertEquals("12345", c.get("b"));
        assertEquals("123", c.get("c"));
        assertNull(c.get("huge"), "a token larger than the whole budget is not kept");
        assertEquals(2, c.size());
    }
}
