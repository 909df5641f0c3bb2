package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MutableDocumentsTest {
    private static final MutableDocuments.Policy POLICY =
            new MutableDocuments.Policy(Duration.ofMinutes(5), Duration.ofMinutes(1), 1024);

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock();

    private MutableDocuments documents() throws IOException {
        return new MutableDocuments(new FileStorage(tmp), clock, 1024 * 1024);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void get_withinTtl_servedWithoutAskingUpstream() throws Exception {
        MutableDocuments docs = documents();
        AtomicInteger calls = new AtomicInteger();
        MutableDocuments.Fetcher f = (etag, lm) -> {
            calls.incrementAndGet();
            return new MutableDocuments.Fetched(b("v1"), "text/plain", "\"e1\"", null);
        };
        assertArrayEquals(b("v1"), docs.get("k/doc", POLICY, f).body());
        clock.advance(Duration.ofMinutes(4));
        assertArrayEquals(b("v1"), docs.get("k/doc", POLICY, f).body());
        assertEquals(1, calls.get());
    }

    @Test
    void get_afterTtl_revalidatesWithValidators_notModifiedKeepsBody() throws Exception {
        MutableDocuments docs = documents();
        List<String> seen = new ArrayList<>();
        docs.get("k/doc", POLICY, (etag, lm) -> new MutableDocuments.Fetched(b("v1"), "text/plain", "\"e1\"", "Mon"));
        clock.advance(Duration.ofMinutes(6));
        MutableDocuments.Document d = docs.get("k/doc", POLICY, (etag, lm) -> {
            seen.add(etag + "|" + lm);
            return new MutableDocuments.NotModified();
        });
        assertEquals(List.of("\"e1\"|Mon"), seen);
        assertArrayEquals(b("v1"), d.body());
        assertEquals(clock.millis(), d.fetchedAt(), "304 renews freshness");
        // and it survives a restart (new instance, same storage)
        assertArrayEquals(b("v1"), documents().get("k/doc", POLICY, (e, l) -> {
            throw new AssertionError("fresh: upstream must not be asked");
        }).body());
    }

    @Test
    void get_upstreamFails_staleCopyServed_nothingCachedRethrows() throws Exception {
        MutableDocuments docs = documents();
        docs.get("k/doc", POLICY, (etag, lm) -> new MutableDocuments.Fetched(b("v1"), null, null, null));
        clock.advance(Duration.ofHours(2));
        assertArrayEquals(b("v1"), docs.get("k/doc", POLICY, (e, l) -> {
            throw new IOException("upstream down");
        }).body());
        assertThrows(IOException.class, () -> docs.get("k/other", POLICY, (e, l) -> {
            throw new IOException("upstream down");
        }));
    }

    @Test
    void get_missing_cachedForNegativeTtlOnly() throws Exception {
        MutableDocuments docs = documents();
        AtomicInteger calls = new AtomicInteger();
        MutableDocuments.Fetcher f = (e, l) -> {
            calls.incrementAndGet();
            return new MutableDocuments.Missing(410);
        };
        assertTrue(docs.get("k/gone", POLICY, f).missing());
        assertEquals(410, docs.get("k/gone", POLICY, f).missingStatus());
        assertEquals(1, calls.get());
        clock.advance(Duration.ofSeconds(61));
        docs.get("k/gone", POLICY, f);
        assertEquals(2, calls.get());
    }

    @Test
    void get_missing_keptInMemoryOnly_neverWrittenToDisk() throws Exception {
        MutableDocuments docs = documents();
        assertTrue(docs.get("k/gone", POLICY, (e, l) -> new MutableDocuments.Missing(404)).missing());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("k/gone")), "a negative answer is not written to disk");
        // and a fresh instance (a restart) asks upstream again
        AtomicInteger calls = new AtomicInteger();
        documents().get("k/gone", POLICY, (e, l) -> {
            calls.incrementAndGet();
            return new MutableDocuments.Missing(404);
        });
        assertEquals(1, calls.get());
    }

    @Test
    void get_uncachedPolicy_asksEveryTime_andStoresNothing() throws Exception {
        MutableDocuments docs = documents();
        AtomicInteger calls = new AtomicInteger();
        MutableDocuments.Fetcher f = (e, l) -> {
            calls.incrementAndGet();
            assertEquals(null, e, "no validators: nothing is cached");
            return new MutableDocuments.Fetched(b("page"), null, "\"x\"", null);
        };
        MutableDocuments.Policy uncached = MutableDocuments.Policy.uncached(1024);
        assertEquals("page", new String(docs.get("k/page", uncached, f).body(), StandardCharsets.UTF_8));
        docs.get("k/page", uncached, f);
        assertEquals(2, calls.get());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("k/page")));
    }

    @Test
    void get_fetcherThrowsRuntimeRefusal_notHiddenByTheStaleCopy() throws Exception {
        MutableDocuments docs = documents();
        docs.get("k/doc", POLICY, (e, l) -> new MutableDocuments.Fetched(b("v1"), null, null, null));
        clock.advance(Duration.ofMinutes(6));
        assertThrows(IllegalStateException.class, () -> docs.get("k/doc", POLICY, (e, l) -> {
            throw new IllegalStateException("refused");
        }));
    }

    @Test
    void get_largerThanCap_refusedAndNotStored() throws Exception {
        MutableDocuments docs = documents();
        assertThrows(IOException.class, () -> docs.get("k/big", POLICY,
                (e, l) -> new MutableDocuments.Fetched(new byte[2048], null, null, null)));
        assertNull(new FileStorage(tmp).get("k/big").orElse(null));
    }

    @Test
    void get_concurrentMisses_oneUpstreamRequest() throws Exception {
        MutableDocuments docs = documents();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MutableDocuments.Document>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> docs.get("k/hot", POLICY, (e, l) -> {
                    calls.incrementAndGet();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException ex) {
                        throw new IOException(ex);
                    }
                    return new MutableDocuments.Fetched(b("hot"), null, null, null);
                })));
            }
            // let every caller reach get() before the one upstream request completes
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (calls.get() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            release.countDown();
            for (Future<MutableDocuments.Document> r : results) {
                assertArrayEquals(b("hot"), r.get(10, TimeUnit.SECONDS).body());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, calls.get(), "callers arriving while the request runs share it, later ones find it cached");
    }

    @Test
    void get_documentOverAQuarterOfTheMemoryBudget_isSharedNotReadPerRequest() throws Exception {
        // budget 1 MiB: a 400 KiB document is not counted, but every reader shares one copy while it lives
        MutableDocuments docs = documents();
        MutableDocuments.Policy big = new MutableDocuments.Policy(Duration.ofMinutes(5), Duration.ofMinutes(1), 1 << 20);
        byte[] body = new byte[400 * 1024];
        MutableDocuments.Document first = docs.get("k/big", big,
                (etag, lm) -> new MutableDocuments.Fetched(body, "application/json", "\"b\"", null));
        MutableDocuments.Document again = docs.get("k/big", big, (etag, lm) -> {
            throw new AssertionError("within the TTL: not asked");
        });
        assertSame(first.body(), again.body(), "one copy in memory, not one per request");
        MutableDocuments fresh = documents(); // same disk, empty memory: concurrent readers share one read
        List<byte[]> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    bodies.add(fresh.get("k/big", big, (etag, lm) -> {
                        throw new AssertionError("cached on disk: not asked");
                    }).body());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(8, bodies.size());
        for (byte[] b : bodies) {
            assertSame(bodies.get(0), b);
        }
    }
}
