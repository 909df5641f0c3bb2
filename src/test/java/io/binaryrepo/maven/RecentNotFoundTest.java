package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link RecentNotFound}: "not found" is remembered for its TTL only, and the memory is bounded. */
class RecentNotFoundTest {
    private final MutableClock clock = new MutableClock();

    @Test
    void remembered_untilTheTtlEnds() {
        RecentNotFound n = new RecentNotFound(clock, Duration.ofSeconds(60));
        n.remember("a");
        assertTrue(n.contains("a"));
        assertFalse(n.contains("b"));
        clock.advance(Duration.ofSeconds(59));
        assertTrue(n.contains("a"));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(n.contains("a"));
        assertEquals(0, n.size(), "an expired entry is dropped when seen");
    }

    @Test
    void forget_dropsTheEntry() {
        RecentNotFound n = new RecentNotFound(clock, Duration.ofSeconds(60));
        n.remember("a");
        n.forget("a");
        assertFalse(n.contains("a"));
    }

    @Test
    void zeroTtl_remembersNothing() {
        RecentNotFound n = new RecentNotFound(clock, Duration.ZERO);
        n.remember("a");
        assertFalse(n.contains("a"));
    }

    @Test
    void bounded_oldestDroppedFirst() {
        RecentNotFound n = new RecentNotFound(clock, Duration.ofSeconds(60));
        for (int i = 0; i <= RecentNotFound.MAX_ENTRIES; i++) {
            n.remember("k" + i);
        }
        assertEquals(RecentNotFound.MAX_ENTRIES, n.size());
        assertFalse(n.contains("k0"));
        assertTrue(n.contains("k1"));
        assertTrue(n.contains("k" + RecentNotFound.MAX_ENTRIES));
    }
}
