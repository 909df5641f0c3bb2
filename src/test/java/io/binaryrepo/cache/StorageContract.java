package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Storage} backend must do. A backend's test extends this class and says how to create
 * an empty storage; every test here then runs against it unchanged.
 */
public abstract class StorageContract {
    protected Storage storage;

    /** A new, empty storage; closed after each test. */
    protected abstract Storage createStorage() throws Exception;

    @BeforeEach
    void openStorage() throws Exception {
        storage = createStorage();
    }

    @AfterEach
    void closeStorage() throws Exception {
        storage.close();
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static byte[] readAll(SeekableByteChannel ch, long from, long to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) (to - from));
        ch.position(from);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                break;
            }
        }
        byte[] out = new byte[buf.position()];
        buf.flip().get(out);
        return out;
    }

    private byte[] content(String key) throws IOException {
        Storage.Entry e = storage.get(key).orElseThrow();
        try (SeekableByteChannel ch = e.open()) {
            return readAll(ch, 0, e.size());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writer_notVisibleBeforeCommit_wholeAfter() throws IOException {
        byte[] data = random(300_000, 1);
        Instant before = Instant.now().minus(Duration.ofSeconds(5));
        try (Storage.Writer w = storage.writer("a/b/blob")) {
            w.write(ByteBuffer.wrap(data, 0, 100_000));
            w.write(ByteBuffer.wrap(data, 100_000, 200_000));
            assertEquals(300_000, w.written());
            assertFalse(storage.exists("a/b/blob"));
            assertTrue(storage.get("a/b/blob").isEmpty());
            w.commit();
        }
        Storage.Entry e = storage.get("a/b/blob").orElseThrow();
        assertEquals("a/b/blob", e.key());
        assertEquals(300_000, e.size());
        assertTrue(e.lastModified().isAfter(before), e.lastModified().toString());
        assertTrue(storage.exists("a/b/blob"));
        assertArrayEquals(data, content("a/b/blob"));
    }

    @Test
    void writer_commitReplacesExistingEntry() throws IOException {
        storage.put("k", bytes("old"));
        try (Storage.Writer w = storage.writer("k")) {
            w.write(ByteBuffer.wrap(bytes("newer")));
            assertArrayEquals(bytes("old"), content("k"), "old entry served until the commit");
            w.commit();
        }
        assertArrayEquals(bytes("newer"), content("k"));
    }

    @Test
    void writer_abortOrCloseWithoutCommit_leavesNothing() throws IOException {
        Storage.Writer aborted = storage.writer("x/aborted");
        aborted.write(ByteBuffer.wrap(random(1000, 2)));
        aborted.abort();
        aborted.abort();
        aborted.close();
        try (Storage.Writer w = storage.writer("x/closed")) {
            w.write(ByteBuffer.wrap(random(1000, 3)));
        }
        assertFalse(storage.exists("x/aborted"));
        assertFalse(storage.exists("x/closed"));
        assertEquals(List.of(), storage.list("", null, 100).items());
        assertEquals(new Storage.Usage(0, 0), storage.usage());
        assertThrows(IOException.class, () -> aborted.write(ByteBuffer.wrap(new byte[1])));
        assertThrows(IOException.class, aborted::commit);
    }

    @Test
    void reader_seesGrowingContent_keepsReadingAcrossCommit() throws IOException {
        byte[] data = random(200_000, 4);
        try (Storage.Writer w = storage.writer("grow")) {
            w.write(ByteBuffer.wrap(data, 0, 50_000));
            try (SeekableByteChannel early = w.openReader()) {
                assertEquals(50_000, early.size());
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, 50_000), readAll(early, 10, 50_000));
                early.position(50_000);
                assertEquals(-1, early.read(ByteBuffer.allocate(10)), "nothing beyond what was written");
                w.write(ByteBuffer.wrap(data, 50_000, 150_000));
                try (SeekableByteChannel late = w.openReader()) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 100_000), readAll(late, 0, 100_000));
                    w.commit();
                    w.close();
                    // Readers opened before the commit go on reading the same bytes after it and after close.
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, 100_000, 200_000), readAll(late, 100_000, 200_000));
                }
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 150_000, 200_000), readAll(early, 150_000, 200_000));
            }
            assertThrows(IOException.class, w::openReader, "no new readers from a closed writer");
        }
        assertArrayEquals(data, content("grow"));
    }

    @Test
    void reader_isReadOnly() throws IOException {
        try (Storage.Writer w = storage.writer("ro")) {
            w.write(ByteBuffer.wrap(bytes("abc")));
            try (SeekableByteChannel r = w.openReader()) {
                assertThrows(RuntimeException.class, () -> r.write(ByteBuffer.wrap(bytes("x"))));
            }
        }
    }

    @Test
    void putAndRead_roundTrip_sizeCapEnforced_missingIsEmpty() throws IOException {
        storage.put("meta/v", bytes("hello"));
        assertArrayEquals(bytes("hello"), storage.read("meta/v", 5).orElseThrow());
        assertThrows(IOException.class, () -> storage.read("meta/v", 4));
        assertEquals(Optional.empty(), storage.read("meta/none", 5));
        assertEquals(5, storage.get("meta/v").orElseThrow().size());
        storage.put("meta/v", new byte[0]);
        assertArrayEquals(new byte[0], storage.read("meta/v", 0).orElseThrow());
    }

    @Test
    void delete_saysWhetherSomethingWasRemoved() throws IOException {
        storage.put("d/k", bytes("v"));
        assertTrue(storage.delete("d/k"));
        assertFalse(storage.exists("d/k"));
        assertFalse(storage.delete("d/k"));
        assertFalse(storage.delete("d/never"));
    }

    @Test
    void list_keyOrder_pagesWithCursor() throws IOException {
        // '-' and '.' sort before '/', '0' after it: String order, not directory order.
        List<String> keys = List.of("a-b", "a.b", "a/b", "a/b/c", "a/c", "a0", "b/x/y/z");
        List<String> reversed = new ArrayList<>(keys);
        java.util.Collections.reverse(reversed);
        for (String k : reversed) {
            if (!k.equals("a/b")) {
                storage.put(k, bytes(k));
            }
        }
        List<String> expected = keys.stream().filter(k -> !k.equals("a/b")).toList();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Storage.Page page = storage.list("", cursor, 2);
            assertTrue(page.items().size() <= 2);
            page.items().forEach(i -> seen.add(i.key()));
            cursor = page.next().orElse(null);
            pages++;
        } while (cursor != null);
        assertEquals(expected, seen);
        assertEquals(3, pages, "6 keys in pages of 2; the last page says there is no next one");
        Storage.Page all = storage.list("", null, 1000);
        assertEquals(expected, all.items().stream().map(Storage.Item::key).toList());
        assertEquals(Optional.empty(), all.next());
        Storage.Item first = all.items().get(0);
        assertEquals(3, first.size());
        assertEquals(storage.get("a-b").orElseThrow().lastModified(), first.lastModified());
    }

    @Test
    void list_prefix_isAPlainStringPrefix() throws IOException {
        for (String k : List.of("docker/blobs/sha256/ab/1", "docker/blobs/sha256/ac/2", "docker/blobsX", "docker/tags/t",
                "helm/i")) {
            storage.put(k, bytes(k));
        }
        assertEquals(List.of("docker/blobs/sha256/ab/1", "docker/blobs/sha256/ac/2", "docker/blobsX"),
                keys(storage.list("docker/blobs", null, 100)));
        assertEquals(List.of("docker/blobs/sha256/ab/1", "docker/blobs/sha256/ac/2"),
                keys(storage.list("docker/blobs/", null, 100)));
        assertEquals(List.of("docker/blobs/sha256/ac/2"), keys(storage.list("docker/blobs/sha256/a", "docker/blobs/sha256/ab/1", 100)));
        assertEquals(List.of(), keys(storage.list("nothing/here", null, 100)));
        assertEquals(List.of("helm/i"), keys(storage.list("he", null, 100)));
    }

    private static List<String> keys(Storage.Page page) {
        return page.items().stream().map(Storage.Item::key).toList();
    }

    @Test
    void usage_countsCommittedEntries_notContentBeingWritten() throws IOException {
        storage.put("u/1", new byte[10]);
        storage.put("u/2/x", new byte[32]);
        try (Storage.Writer w = storage.writer("u/3")) {
            w.write(ByteBuffer.wrap(new byte[1000]));
            assertEquals(new Storage.Usage(2, 42), storage.usage());
            assertEquals(List.of("u/1", "u/2/x"), keys(storage.list("", null, 100)), "content being written is never listed");
            w.commit();
        }
        assertEquals(new Storage.Usage(3, 1042), storage.usage());
        storage.delete("u/1");
        assertEquals(new Storage.Usage(2, 1032), storage.usage());
    }

    static Stream<String> invalidKeys() {
        return Stream.of("", "/abs", "/", "a//b", "a/", "..", ".", "a/../b", "a/./b", "../x", ".hidden", "a/.spool/x", ".spool/x", ".clean-shutdown",
                "a\\b", "a b", "a\nb", "ü", "x".repeat(StorageKeys.MAX_LENGTH + 1), "s/" + "x".repeat(256));
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("invalidKeys")
    void invalidKeys_refusedEverywhere(String key) {
        assertThrows(IllegalArgumentException.class, () -> storage.get(key));
        assertThrows(IllegalArgumentException.class, () -> storage.exists(key));
        assertThrows(IllegalArgumentException.class, () -> storage.writer(key));
        assertThrows(IllegalArgumentException.class, () -> storage.put(key, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> storage.read(key, 10));
        assertThrows(IllegalArgumentException.class, () -> storage.delete(key));
    }

    @Test
    void nullKey_refused() {
        assertThrows(IllegalArgumentException.class, () -> storage.get(null));
    }

    @Test
    void longestValidKey_accepted() throws IOException {
        String seg = "s".repeat(200);
        String key = String.join("/", seg, seg, seg, seg, seg) + "/" + "z".repeat(19);
        assertEquals(StorageKeys.MAX_LENGTH, key.length());
        storage.put(key, bytes("v"));
        assertTrue(storage.exists(key));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"../", "/x", "a//b", "../../etc/p"})
    void list_invalidPrefix_refused(String prefix) {
        assertThrows(IllegalArgumentException.class, () -> storage.list(prefix, null, 10));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(ints = {0, -1, 1001})
    void list_limitOutOfRange_refused(int limit) {
        assertThrows(IllegalArgumentException.class, () -> storage.list("", null, limit));
    }

    @Test
    void putIfVersion_absent_createsOnlyOnce() throws IOException {
        assertTrue(storage.readVersioned("meta/cas", 64).isEmpty());
        assertTrue(storage.putIfVersion("meta/cas", bytes("one"), null));
        assertFalse(storage.putIfVersion("meta/cas", bytes("two"), null));
        Storage.Versioned v = storage.readVersioned("meta/cas", 64).orElseThrow();
        assertArrayEquals(bytes("one"), v.value());
        assertArrayEquals(bytes("one"), storage.read("meta/cas", 64).orElseThrow());
    }

    @Test
    void putIfVersion_staleVersion_refused_currentVersion_replaces() throws IOException {
        storage.put("meta/cas", bytes("one"));
        Storage.Versioned first = storage.readVersioned("meta/cas", 64).orElseThrow();
        assertTrue(storage.putIfVersion("meta/cas", bytes("two"), first.version()));
        assertFalse(storage.putIfVersion("meta/cas", bytes("three"), first.version()));
        Storage.Versioned second = storage.readVersioned("meta/cas", 64).orElseThrow();
        assertArrayEquals(bytes("two"), second.value());
        storage.put("meta/cas", bytes("four")); // a plain put also makes earlier versions stale
        assertFalse(storage.putIfVersion("meta/cas", bytes("five"), second.version()));
        assertArrayEquals(bytes("four"), storage.read("meta/cas", 64).orElseThrow());
    }

    @Test
    void putIfVersion_removedEntry_refused() throws IOException {
        storage.put("meta/cas", bytes("one"));
        Storage.Versioned v = storage.readVersioned("meta/cas", 64).orElseThrow();
        assertTrue(storage.delete("meta/cas"));
        assertFalse(storage.putIfVersion("meta/cas", bytes("two"), v.version()));
        assertTrue(storage.read("meta/cas", 64).isEmpty());
    }

    @Test
    void readVersioned_largerThanLimit_fails() throws IOException {
        storage.put("meta/cas", new byte[100]);
        assertThrows(IOException.class, () -> storage.readVersioned("meta/cas", 99));
    }

    @Test
    protected void putIfVersion_eightConcurrentIncrementers_noIncrementLost() throws Exception {
        int threads = 8;
        int each = 25;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        while (true) {
                            Optional<Storage.Versioned> v = storage.readVersioned("meta/counter", 32);
                            long n = v.map(x -> Long.parseLong(new String(x.value(), StandardCharsets.US_ASCII)))
                                    .orElse(0L);
                            if (storage.putIfVersion("meta/counter", bytes(Long.toString(n + 1)),
                                    v.map(Storage.Versioned::version).orElse(null))) {
                                break;
                            }
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Long.toString(threads * each),
                new String(storage.read("meta/counter", 32).orElseThrow(), StandardCharsets.US_ASCII));
    }
}
