package io.binaryrepo.cache;

import io.binaryrepo.e2e.Wait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eviction policy on a real {@link FileStorage}: LRU order, the 90 % target, maxAge, the grace period,
 * batched access records and their order across a restart. Runs are started by hand ({@link Evictor#run()})
 * except in the background test; time moves with a clock started at the real now (entries' commit times
 * come from the file system).
 */
class EvictorTest {
    private static final Duration GRACE = Duration.ofMinutes(1);

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock();
    private final List<TrackedStorage> opened = new ArrayList<>();
    private final AtomicLong evictedEntries = new AtomicLong();
    private final AtomicLong evictedBytes = new AtomicLong();

    EvictorTest() {
        clock.advance(Duration.between(clock.instant(), Instant.now().plusSeconds(1)));
    }

    @AfterEach
    void close() throws IOException {
        for (TrackedStorage s : opened) {
            s.close();
        }
    }

    private TrackedStorage open(long maxBytes, Duration maxAge) throws IOException {
        TrackedStorage s = new TrackedStorage(new FileStorage(tmp.resolve("cache"), clock),
                new EvictionPolicy(maxBytes, maxAge, GRACE, Duration.ofSeconds(10), Duration.ofMinutes(1)), clock,
                (n, b) -> {
                    evictedEntries.addAndGet(n);
                    evictedBytes.addAndGet(b);
                });
        opened.add(s);
        return s;
    }

    private static void commit(Storage s, String key, int bytes) throws IOException {
        s.put(key, new byte[bytes]);
    }

    /** Reads {@code keys} in this order, one minute apart, starting an hour from now (outside the grace). */
    private void readInOrder(Storage s, String... keys) throws IOException {
        clock.advance(Duration.ofHours(1));
        for (String k : keys) {
            clock.advance(Duration.ofMinutes(1));
            assertTrue(s.get(k).isPresent(), k);
        }
        clock.advance(Duration.ofHours(1));
    }

    private static List<String> present(Storage s, String... keys) throws IOException {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (s.exists(k)) {
                out.add(k);
            }
        }
        return out;
    }

    @Test
    void run_overCap_removesLeastRecentlyReadUntilNinetyPercent() throws IOException {
        TrackedStorage s = open(1000, null);
        String[] keys = {"a/1", "a/2", "a/3", "a/4", "a/5", "a/6", "a/7", "a/8", "a/9", "a/10", "a/11"};
        for (String k : keys) {
            commit(s, k, 100);
        }
        // read in an order unrelated to commit order: a/7 and a/3 are the least recently read
        readInOrder(s, "a/7", "a/3", "a/1", "a/2", "a/4", "a/5", "a/6", "a/8", "a/9", "a/10", "a/11");

        Evictor.Run run = s.evictor().run();

        assertEquals(List.of("a/1", "a/10", "a/11", "a/2", "a/4", "a/5", "a/6", "a/8", "a/9"),
                present(s, "a/1", "a/10", "a/11", "a/2", "a/3", "a/4", "a/5", "a/6", "a/7", "a/8", "a/9"));
        assertEquals(2, run.entries());
        assertEquals(200, run.bytes());
        assertEquals(900, s.countedUsage().orElseThrow().bytes());
        assertEquals(2, evictedEntries.get());
        assertEquals(200, evictedBytes.get());
    }

    @Test
    void run_atOrBelowCap_removesNothing() throws IOException {
        TrackedStorage s = open(1000, null);
        for (int i = 0; i < 10; i++) {
            commit(s, "a/" + i, 100);
        }
        readInOrder(s, "a/0");

        Evictor.Run run = s.evictor().run();

        assertEquals(0, run.entries());
        assertEquals(new Storage.Usage(10, 1000), s.countedUsage().orElseThrow());
    }

    @Test
    void run_maxAge_removesWhatWasNotReadForThatLong_keepsTheRest() throws IOException {
        TrackedStorage s = open(0, Duration.ofDays(1));
        commit(s, "old", 10);
        commit(s, "fresh", 10);
        clock.advance(Duration.ofDays(2));
        assertTrue(s.get("fresh").isPresent());
        clock.advance(Duration.ofHours(1));

        Evictor.Run run = s.evictor().run();

        assertFalse(s.exists("old"));
        assertTrue(s.exists("fresh"));
        assertEquals(1, run.byAge());
    }

    @Test
    void run_everythingReadWithinGrace_keptAboveCap_saysTargetNotReached() throws IOException {
        TrackedStorage s = open(500, null);
        for (int i = 0; i < 10; i++) {
            commit(s, "a/" + i, 100);
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 10; i++) {
            assertTrue(s.get("a/" + i).isPresent());
        }
        clock.advance(GRACE.minusSeconds(5));

        Evictor.Run run = s.evictor().run();

        assertEquals(0, run.entries());
        assertFalse(run.targetReached());
        assertEquals(10, present(s, "a/0", "a/1", "a/2", "a/3", "a/4", "a/5", "a/6", "a/7", "a/8", "a/9").size());
    }

    @Test
    void run_justCommittedEntry_keptWithinGrace() throws IOException {
        TrackedStorage s = open(150, null);
        commit(s, "old", 100);
        clock.advance(Duration.ofHours(1));
        commit(s, "new", 100); // no read yet: still protected, the download may still be serving it

        s.evictor().run();

        assertTrue(s.exists("new"));
        assertFalse(s.exists("old"));
    }

    @Test
    void evict_entryReadAfterItWasChosen_isKept() throws IOException {
        TrackedStorage s = open(100, null);
        commit(s, "k", 100);
        clock.advance(Duration.ofHours(1));
        long chosenAt = clock.millis();
        clock.advance(Duration.ofMinutes(10));
        assertTrue(s.get("k").isPresent()); // read between choice and delete

        assertEquals(-1, s.evict("k", chosenAt, clock.millis() + 1));
        assertTrue(s.exists("k"));
    }

    @Test
    void zeroByteEntries_neverEvicted() throws IOException {
        TrackedStorage s = open(100, Duration.ofDays(1));
        commit(s, "docker/repos/r/n/_links/sha256/ab/abcd", 0);
        commit(s, "big", 200);
        clock.advance(Duration.ofDays(3));

        s.evictor().run();

        assertTrue(s.exists("docker/repos/r/n/_links/sha256/ab/abcd"));
        assertFalse(s.exists("big"));
    }

    @Test
    void reads_batchedInMemory_oneRecordPerKeyAtFlush() throws IOException {
        TrackedStorage s = open(0, null);
        commit(s, "k", 10);
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofMillis(1));
            assertTrue(s.get("k").isPresent());
        }
        assertTrue(s.backend().list(AccessLog.PREFIX, null, 10).items().isEmpty(), "no record before the flush");

        assertEquals(1, s.access().flush());

        List<Storage.Item> records = s.backend().list(AccessLog.PREFIX, null, 10).items();
        assertEquals(List.of(AccessLog.PREFIX + "k"), records.stream().map(Storage.Item::key).toList());
        assertEquals(Optional.of(Instant.ofEpochMilli(clock.millis())), s.lastAccess("k"));
        assertEquals(0, s.access().flush(), "nothing read since: nothing written");
    }

    @Test
    void listing_hidesAccessRecords_usageCountsOnlyEntries() throws IOException {
        TrackedStorage s = open(0, null);
        commit(s, "k", 10);
        assertTrue(s.get("k").isPresent());
        s.access().flush();

        assertEquals(List.of("k"), s.list("", null, 100).items().stream().map(Storage.Item::key).toList());
        s.evictor().run();
        assertEquals(new Storage.Usage(1, 10), s.countedUsage().orElseThrow());
    }

    @Test
    void delete_forgetsTheAccessRecord() throws IOException {
        TrackedStorage s = open(0, null);
        commit(s, "k", 10);
        assertTrue(s.get("k").isPresent());
        s.access().flush();

        assertTrue(s.delete("k"));

        assertEquals(Optional.empty(), s.lastAccess("k"));
        assertFalse(s.backend().exists(AccessLog.PREFIX + "k"));
        assertEquals(0, s.access().flush());
    }

    @Test
    void run_orphanedAccessRecord_removed() throws IOException {
        TrackedStorage s = open(0, null);
        commit(s, "k", 10);
        assertTrue(s.get("k").isPresent());
        s.access().flush();
        s.backend().delete("k"); // removed behind the log's back
        clock.advance(Duration.ofHours(1));

        s.evictor().run();

        assertFalse(s.backend().exists(AccessLog.PREFIX + "k"));
    }

    @Test
    void accessOrder_survivesRestart_evictsLeastRecentlyReadNotOldestCommitted() throws IOException {
        TrackedStorage first = open(0, null);
        for (String k : new String[] {"a", "b", "c", "d"}) {
            commit(first, k, 100);
            clock.advance(Duration.ofMinutes(1));
        }
        readInOrder(first, "c", "d", "a", "b"); // c then d least recently read; a was committed first
        Instant readA = first.lastAccess("a").orElseThrow();
        first.close();
        opened.remove(first);

        TrackedStorage second = open(350, null);
        assertEquals(Optional.of(readA), second.lastAccess("a"), "read time restored from its record");
        commit(second, "e", 100); // over the cap: 500 > 350, target 315
        clock.advance(Duration.ofHours(1));

        second.evictor().run();

        assertEquals(List.of("a", "b", "e"), present(second, "a", "b", "c", "d", "e"));
    }

    @Test
    void commitPastCap_evictsInTheBackground() throws Exception {
        TrackedStorage s = open(1000, null);
        for (int i = 0; i < 10; i++) {
            commit(s, "a/" + i, 100);
        }
        clock.advance(Duration.ofHours(1));
        s.start(); // the start-up listing runs in the background
        Wait.until(Duration.ofSeconds(30), "the start-up listing counted the usage", () -> s.countedUsage().isPresent());
        assertEquals(new Storage.Usage(10, 1000), s.countedUsage().orElseThrow());

        commit(s, "a/new", 100);

        Wait.until(Duration.ofSeconds(30), "the background eviction ran",
                () -> s.countedUsage().orElseThrow().bytes() <= 900);
        assertEquals(900, s.countedUsage().orElseThrow().bytes());
        assertTrue(s.exists("a/new"));
    }
}
