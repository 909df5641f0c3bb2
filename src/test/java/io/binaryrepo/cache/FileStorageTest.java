package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link StorageContract} on the local file system, plus what only the file backend does. */
class FileStorageTest extends StorageContract {
    @TempDir
    Path tmp;

    /** Records the durability calls in order, with what was on disk at that moment. */
    private final List<String> events = new ArrayList<>();
    private Path root;

    @Override
    protected Storage createStorage() throws IOException {
        root = tmp.resolve("cache");
        return reopen();
    }

    private FileStorage reopen() throws IOException {
        return new FileStorage(root, Clock.systemUTC(), new FileStorage.Durability() {
            @Override
            public void force(FileChannel ch) throws IOException {
                synchronized (events) {
                    events.add("force " + ch.size() + " " + visible());
                }
                FileStorage.Durability.FSYNC.force(ch);
            }

            @Override
            public void syncDirectory(Path dir) throws IOException {
                synchronized (events) {
                    events.add("sync " + root.relativize(dir) + " " + visible());
                }
                FileStorage.Durability.FSYNC.syncDirectory(dir);
            }
        });
    }

    private String visible() {
        return Files.exists(root.resolve("d/k")) ? "visible" : "absent";
    }

    @Test
    void commit_forcesDataBeforeTheRename_syncsTheDirectoriesAfter() throws IOException {
        events.clear();
        try (Storage.Writer w = storage.writer("d/k")) {
            w.write(ByteBuffer.wrap(random(5000, 1)));
            w.commit();
        }
        assertEquals(List.of("force 5000 absent", "sync d visible", "sync  visible"), events,
                "data forced while the entry is not yet visible; the new directory d and its parent synced after");
    }

    @Test
    void put_isDurableToo() throws IOException {
        storage.put("d/x", new byte[3]);
        events.clear();
        storage.put("d/k", new byte[7]);
        assertEquals(List.of("force 7 absent", "sync d visible"), events);
    }

    @Test
    void entry_exposesItsFile_spoolFilesLiveInTheSpoolDirectory() throws IOException {
        try (Storage.Writer w = storage.writer("f/k")) {
            w.write(ByteBuffer.wrap(new byte[10]));
            try (Stream<Path> s = Files.list(root.resolve(FileStorage.SPOOL_DIR))) {
                assertEquals(1, s.count());
            }
            w.commit();
        }
        assertEquals(root.resolve("f/k"), storage.get("f/k").orElseThrow().file().orElseThrow());
        assertTrue(storage.get("f/k").orElseThrow().redirect().isEmpty());
        try (Stream<Path> s = Files.list(root.resolve(FileStorage.SPOOL_DIR))) {
            assertEquals(0, s.count(), "the commit consumed the spool file");
        }
    }

    @Test
    void removeSpoolLeftovers_removesWhatACrashLeft() throws IOException {
        Storage.Writer w = storage.writer("left/over");
        w.write(ByteBuffer.wrap(new byte[10]));
        assertEquals(1, storage.removeSpoolLeftovers());
        w.close();
        assertFalse(storage.exists("left/over"));
    }

    @Test
    void uncleanShutdown_reportedWhenTheMarkerIsMissing_notAfterACleanClose() throws IOException {
        assertTrue(storage.uncleanShutdown().isEmpty(), "a new cache");
        storage.put("k", new byte[1]);
        // The process dies: no close().
        FileStorage afterCrash = reopen();
        assertTrue(afterCrash.uncleanShutdown().isPresent());
        afterCrash.close();
        assertTrue(reopen().uncleanShutdown().isPresent(), "not recovered yet: still to re-verify at the next start");
        FileStorage recovered = reopen();
        recovered.recovered();
        recovered.close();
        FileStorage clean = reopen();
        assertTrue(clean.uncleanShutdown().isEmpty());
        assertFalse(Files.exists(root.resolve(FileStorage.CLEAN_MARKER)), "consumed at start: a crash now is seen next time");
        clean.close();
        assertTrue(Files.exists(root.resolve(FileStorage.CLEAN_MARKER)));
    }

    @Test
    void writer_spoolCannotBeCreated_cacheWriteException() throws IOException {
        Path spool = root.resolve(FileStorage.SPOOL_DIR);
        Files.delete(spool);
        Files.writeString(spool, "not a directory");
        assertThrows(CacheWriteException.class, () -> storage.writer("k"));
    }
}
