package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.Wait;
import io.binaryrepo.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared downloads: bounds, start failures, clients leaving, commits that take time. */
class DownloadsTest {
    private static final Duration HEAD = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Runnable NOTHING = () -> { };

    @TempDir
    Path tmp;
    private final MutableClock clock = new MutableClock();
    private FileStorage storage;
    private Downloads downloads;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void open() throws IOException {
        storage = new FileStorage(tmp.resolve("cache"), clock);
    }

    @AfterEach
    void close() throws IOException {
        clients.shutdownNow();
        if (downloads != null) {
            downloads.close();
        }
        storage.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ContentCheck check(byte[] data) throws Exception {
        return new ContentCheck("SHA-256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)),
                data.length);
    }

    private long spoolFiles() throws IOException {
        try (Stream<Path> s = Files.list(storage.root().resolve(FileStorage.SPOOL_DIR))) {
            return s.count();
        }
    }

    @Test
    void join_executorRefuses_downloadFailsAtOnceAndLeavesTheInflightMap() throws Exception {
        downloads = new Downloads(storage);
        downloads.close();
        Download d = downloads.join("k", "o", new FeedBody(1).source(), ContentCheck.sizeOnly(1), NOTHING);
        DownloadsBusyException e = assertThrows(DownloadsBusyException.class, () -> d.awaitHead(HEAD));
        assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
        assertEquals(0, downloads.size(), "not left STARTING in the map");
        assertTrue(downloads.inflight("k").isEmpty());
    }

    @Test
    void join_moreThanRunningPlusQueued_refusedWithClearError_queuedOneRunsLater() throws Exception {
        downloads = new Downloads(storage, new Downloads.Limits(1, 1, Long.MAX_VALUE));
        byte[] one = random(1000, 1);
        byte[] two = random(2000, 2);
        FeedBody b1 = new FeedBody(one.length);
        FeedBody b2 = new FeedBody(two.length);
        Download d1 = downloads.join("k1", "o", b1.source(), check(one), NOTHING);
        assertEquals(one.length, d1.awaitHead(HEAD).length(), "the one thread runs k1");
        Download d2 = downloads.join("k2", "o", b2.source(), check(two), NOTHING);
        Download d3 = downloads.join("k3", "o", new FeedBody(5).source(), ContentCheck.sizeOnly(5), NOTHING);
        DownloadsBusyException busy = assertThrows(DownloadsBusyException.class, () -> d3.awaitHead(HEAD));
        assertTrue(busy.getMessage().contains("too many downloads in progress (1 running, 1 queued)"), busy.getMessage());
        assertEquals(2, downloads.size(), "the refused one left the map, the queued one waits in it");
        assertEquals(0, b2.opened.get(), "k2 is queued, not started");

        b1.feed(one);
        b1.end();
        b2.feed(two);
        b2.end();
        ByteArrayOutputStream out1 = new ByteArrayOutputStream();
        d1.copyTo(out1, 0, -1);
        assertArrayEquals(one, out1.toByteArray());
        assertEquals(two.length, d2.awaitHead(HEAD).length());
        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        d2.copyTo(out2, 0, -1);
        assertArrayEquals(two, out2.toByteArray());
        Wait.until(WAIT, "both committed", () -> storage.exists("k1") && storage.exists("k2"));
    }

    @Test
    void close_queuedDownloadsFailAtOnce_runningOnesFail_mapEmpties() throws Exception {
        downloads = new Downloads(storage, new Downloads.Limits(1, 1, Long.MAX_VALUE));
        FeedBody b1 = new FeedBody(10);
        Download running = downloads.join("k1", "o", b1.source(), ContentCheck.sizeOnly(10), NOTHING);
        running.awaitHead(HEAD);
        Download queued = downloads.join("k2", "o", new FeedBody(10).source(), ContentCheck.sizeOnly(10), NOTHING);
        downloads.close();
        DownloadsBusyException e = assertThrows(DownloadsBusyException.class, () -> queued.awaitHead(HEAD));
        assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
        assertThrows(DownloadFailedException.class, () -> running.copyTo(new ByteArrayOutputStream(), 0, -1));
        Wait.until(WAIT, "nothing left in flight", () -> downloads.size() == 0);
        assertFalse(storage.exists("k1"));
    }

    @Test
    void run_spoolCannotBeCreated_leavesTheInflightMap_nextRequestStartsAgain() throws Exception {
        downloads = new Downloads(storage);
        Path spool = storage.root().resolve(FileStorage.SPOOL_DIR);
        Files.delete(spool);
        Files.writeString(spool, "in the way");
        byte[] data = random(100, 3);
        Download d = downloads.join("k", "o", new FeedBody(data.length).source(), check(data), NOTHING);
        assertThrows(CacheWriteException.class, () -> d.awaitHead(HEAD));
        assertEquals(0, downloads.size());

        assertFalse(downloads.cacheWritable(), "the failure counts as a full cache, re-checked after a while");
        Files.delete(spool);
        Files.createDirectory(spool);
        clock.advance(Duration.ofSeconds(5));
        assertTrue(downloads.cacheWritable());
        FeedBody body = new FeedBody(data.length);
        body.feed(data);
        body.end();
        Download again = downloads.join("k", "o", body.source(), check(data), NOTHING);
        assertEquals(data.length, again.awaitHead(HEAD).length());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        again.copyTo(out, 0, -1);
        assertArrayEquals(data, out.toByteArray());
    }

    /** A client that takes nothing: its connection is gone. */
    private static final OutputStream GONE = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("broken pipe");
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            throw new IOException("broken pipe");
        }
    };

    @Test
    void everyClientLeft_moreThanTheAbandonLimitRemaining_cancelled_nothingCommitted_nextRequestStartsAfresh()
            throws Exception {
        downloads = new Downloads(storage, new Downloads.Limits(4, 4, 10_000));
        byte[] data = random(100_000, 4);
        FeedBody body = new FeedBody(data.length);
        Download d = downloads.join("k", "o", body.source(), check(data), NOTHING);
        d.awaitHead(HEAD);
        body.feed(Arrays.copyOfRange(data, 0, 20_000));
        Wait.until(WAIT, "the first bytes arrived", () -> spoolBytes() >= 20_000);
        assertThrows(IOException.class, () -> d.copyTo(GONE, 0, -1));
        body.feed(Arrays.copyOfRange(data, 20_000, 30_000));
        Wait.until(WAIT, "the download was cancelled", () -> downloads.size() == 0);
        assertThrows(DownloadFailedException.class, () -> d.copyTo(new ByteArrayOutputStream(), 0, -1));
        assertFalse(storage.exists("k"));
        Wait.until(WAIT, "the upstream body was closed", () -> body.closed);
        assertEquals(0, spoolFiles());

        FeedBody fresh = new FeedBody(data.length);
        fresh.feed(data);
        fresh.end();
        Download again = downloads.join("k", "o", fresh.source(), check(data), NOTHING);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        again.awaitHead(HEAD);
        again.copyTo(out, 0, -1);
        assertArrayEquals(data, out.toByteArray());
        assertEquals(1, fresh.opened.get());
    }

    @Test
    void everyClientLeft_unknownLength_goesOnForTheAbandonLimitThenCancels() throws Exception {
        downloads = new Downloads(storage, new Downloads.Limits(4, 4, 10_000));
        FeedBody body = new FeedBody(-1);
        Download d = downloads.join("k", "o", body.source(), ContentCheck.sizeOnly(-1), NOTHING);
        assertEquals(-1, d.awaitHead(HEAD).length());
        body.feed(random(20_000, 8));
        Wait.until(WAIT, "the first bytes arrived", () -> spoolBytes() >= 20_000);
        assertThrows(IOException.class, () -> d.copyTo(GONE, 0, -1));
        body.feed(random(5_000, 9));
        Wait.until(WAIT, "5000 more bytes arrived", () -> spoolBytes() >= 25_000);
        assertEquals(1, downloads.size(), "under the limit since the last client left: goes on");
        body.feed(random(10_000, 10));
        Wait.until(WAIT, "cancelled once 10000 more than when the client left arrived", () -> downloads.size() == 0);
        assertFalse(storage.exists("k"));
    }

    @Test
    void everyClientLeft_lessThanTheAbandonLimitRemaining_finishedAndCommitted() throws Exception {
        downloads = new Downloads(storage, new Downloads.Limits(4, 4, 90_000));
        byte[] data = random(100_000, 5);
        FeedBody body = new FeedBody(data.length);
        Download d = downloads.join("k", "o", body.source(), check(data), NOTHING);
        d.awaitHead(HEAD);
        body.feed(Arrays.copyOfRange(data, 0, 20_000));
        Wait.until(WAIT, "the first bytes arrived", () -> spoolBytes() >= 20_000);
        assertThrows(IOException.class, () -> d.copyTo(GONE, 0, -1));
        body.feed(Arrays.copyOfRange(data, 20_000, data.length));
        body.end();
        Wait.until(WAIT, "committed without any client", () -> storage.exists("k"));
        assertArrayEquals(data, storage.read("k", data.length).orElseThrow());
    }

    @Test
    void anotherClientStillReading_downloadGoesOnWhenOneLeaves() throws Exception {
        downloads = new Downloads(storage, new Downloads.Limits(4, 4, 0));
        byte[] data = random(100_000, 6);
        FeedBody body = new FeedBody(data.length);
        Download d = downloads.join("k", "o", body.source(), check(data), NOTHING);
        Download same = downloads.join("k", "o", body.source(), check(data), NOTHING);
        assertTrue(d == same, "joined, not started twice");
        d.awaitHead(HEAD);
        ByteArrayOutputStream stayer = new ByteArrayOutputStream();
        Future<?> staying = clients.submit(() -> {
            same.awaitHead(HEAD);
            same.copyTo(stayer, 0, -1);
            return null;
        });
        body.feed(Arrays.copyOfRange(data, 0, 20_000));
        Wait.until(WAIT, "the first bytes arrived", () -> spoolBytes() >= 20_000);
        assertThrows(IOException.class, () -> d.copyTo(GONE, 0, -1));
        body.feed(Arrays.copyOfRange(data, 20_000, data.length));
        body.end();
        staying.get(30, TimeUnit.SECONDS);
        assertArrayEquals(data, stayer.toByteArray());
        assertTrue(storage.exists("k"));
    }

    private long spoolBytes() {
        try (Stream<Path> s = Files.list(storage.root().resolve(FileStorage.SPOOL_DIR))) {
            long total = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void commitInProgress_readersKeepStreaming_newReaderStartsStreaming() throws Exception {
        CountDownLatch committing = new CountDownLatch(1);
        CountDownLatch finishCommit = new CountDownLatch(1);
        downloads = new Downloads(new SlowCommitStorage(storage, committing, finishCommit));
        byte[] data = random(300_000, 7);
        FeedBody body = new FeedBody(data.length);
        Download d = downloads.join("k", "o", body.source(), check(data), NOTHING);
        d.awaitHead(HEAD);
        ByteArrayOutputStream early = new ByteArrayOutputStream();
        Future<?> earlyReader = clients.submit(() -> {
            d.copyTo(early, 0, -1);
            return null;
        });
        body.feed(Arrays.copyOfRange(data, 0, 100_000));
        Wait.until(WAIT, "the early reader streams", () -> early.size() >= 100_000);
        body.feed(Arrays.copyOfRange(data, 100_000, data.length));
        body.end();
        assertTrue(committing.await(30, TimeUnit.SECONDS));

        // The commit is under way (think: an upload to an object store). Nobody waits for it but the last byte.
        Download late = downloads.join("k", "o", body.source(), check(data), NOTHING);
        assertTrue(late == d, "joins the committing download");
        ByteArrayOutputStream lateOut = new ByteArrayOutputStream();
        Future<?> lateReader = clients.submit(() -> {
            late.awaitHead(HEAD);
            late.copyTo(lateOut, 0, -1);
            return null;
        });
        Wait.until(WAIT, "both readers have all but the last byte while the commit runs",
                () -> early.size() == data.length - 1 && lateOut.size() == data.length - 1);
        assertFalse(earlyReader.isDone());
        finishCommit.countDown();
        earlyReader.get(30, TimeUnit.SECONDS);
        lateReader.get(30, TimeUnit.SECONDS);
        assertArrayEquals(data, early.toByteArray());
        assertArrayEquals(data, lateOut.toByteArray());
        assertTrue(storage.exists("k"));
    }

    /** A storage whose commits take until the test says so. */
    private static final class SlowCommitStorage implements Storage {
        private final FileStorage inner;
        private final CountDownLatch committing;
        private final CountDownLatch finish;

        SlowCommitStorage(FileStorage inner, CountDownLatch committing, CountDownLatch finish) {
            this.inner = inner;
            this.committing = committing;
            this.finish = finish;
        }

        @Override
        public Optional<Versioned> readVersioned(String key, int maxBytes) throws IOException {
            return inner.readVersioned(key, maxBytes);
        }

        @Override
        public boolean putIfVersion(String key, byte[] value, String expectedVersion) throws IOException {
            return inner.putIfVersion(key, value, expectedVersion);
        }

        @Override
        public Writer writer(String key) throws IOException {
            Writer w = inner.writer(key);
            return new Writer() {
                @Override
                public String key() {
                    return w.key();
                }

                @Override
                public void write(ByteBuffer src) throws IOException {
                    w.write(src);
                }

                @Override
                public long written() {
                    return w.written();
                }

                @Override
                public SeekableByteChannel openReader() throws IOException {
                    return w.openReader();
                }

                @Override
                public void commit() throws IOException {
                    committing.countDown();
                    try {
                        if (!finish.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("test never let the commit finish");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                    w.commit();
                }

                @Override
                public void abort() {
                    w.abort();
                }

                @Override
                public void close() {
                    w.close();
                }
            };
        }

        @Override
        public Optional<Entry> get(String key) throws IOException {
            return inner.get(key);
        }

        @Override
        public boolean exists(String key) {
            return inner.exists(key);
        }

        @Override
        public void put(String key, byte[] value) throws IOException {
            inner.put(key, value);
        }

        @Override
        public Optional<byte[]> read(String key, int maxBytes) throws IOException {
            return inner.read(key, maxBytes);
        }

        @Override
        public boolean delete(String key) throws IOException {
            return inner.delete(key);
        }

        @Override
        public Page list(String prefix, String startAfter, int limit) throws IOException {
            return inner.list(prefix, startAfter, limit);
        }

        @Override
        public Usage usage() throws IOException {
            return inner.usage();
        }

        @Override
        public int removeSpoolLeftovers() throws IOException {
            return inner.removeSpoolLeftovers();
        }

        @Override
        public void close() {
        }
    }
}
