package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several nodes on one shared storage (issue 16), each with its own {@link TrackedStorage} and
 * {@link Evictor}: here three views of one {@link FileStorage} directory (their compare-and-swap shares one
 * lock, as nodes on one bucket share S3's conditional writes; the swap itself is proven on both backends
 * by {@link StorageContract}). What one node knows only through the stored access records.
 */
class TwoNodeEvictionTest {
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final int ENTRIES = 20;
    private static final long CAP = 120;

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock();
    private final List<TrackedStorage> opened = new ArrayList<>();

    TwoNodeEvictionTest() {
        clock.advance(Duration.between(clock.instant(), Instant.now().plusSeconds(1)));
    }

    @AfterEach
    void close() throws IOException {
        for (TrackedStorage s : opened) {
            s.close();
        }
    }

    private TrackedStorage node() throws IOException {
        TrackedStorage s = new TrackedStorage(new FileStorage(tmp.resolve("cache"), clock),
                new EvictionPolicy(CAP, null, GRACE, Duration.ofSeconds(10), Duration.ofMinutes(1)), clock,
                Evictor.Listener.NONE);
        opened.add(s);
        return s;
    }

    @Test
    void twoNodesEvictingAtOnce_countEachRemovalOnce_keepWhatAThirdNodeJustRead() throws Exception {
        TrackedStorage a = node();
        TrackedStorage b = node();
        TrackedStorage c = node();
        for (int i = 0; i < ENTRIES; i++) {
            a.put("k/" + i, new byte[100]);
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < ENTRIES; i++) {
            clock.advance(Duration.ofMinutes(1));
            assertTrue(a.get("k/" + i).isPresent());
        }
        a.access().flush();
        clock.advance(Duration.ofHours(1));
        // k/0 is the least recently read as far as a and b know; c reads it now and flushes its record
        assertTrue(c.get("k/0").isPresent());
        c.access().flush();

        ExecutorService pool = Executors.newFixedThreadPool(2);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Evictor.Run> runs = new ArrayList<>();
        try {
            List<Future<Evictor.Run>> f = new ArrayList<>();
            for (TrackedStorage n : List.of(a, b)) {
                f.add(pool.submit(() -> {
                    start.await();
                    return n.evictor().run();
                }));
            }
            for (Future<Evictor.Run> r : f) {
                runs.add(r.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> left = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            if (c.backend().exists("k/" + i)) {
                left.add("k/" + i);
            }
        }
        assertEquals(List.of("k/0"), left, "only the entry c read within the grace period is left");
        assertEquals(ENTRIES - left.size(), runs.get(0).entries() + runs.get(1).entries(),
                "each removal counted by exactly one node: " + runs);
        long bytes = c.list("k/", null, 1000).items().stream().mapToLong(Storage.Item::size).sum();
        assertTrue(bytes <= CAP * EvictionPolicy.TARGET, "entries left hold " + bytes + " bytes");
    }
}
