package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.Wait;
import io.binaryrepo.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-verification of what was committed just before an unclean shutdown (issue 17). */
class CrashRecoveryTest {
    /** A record naming a digest, not content with that digest: metadata, never hashed. */
    private static final String LINK = "docker/r/hub/library/x/_links/sha256/ab/ab" + "1".repeat(62);

    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String blobKey(String hex) {
        return "docker/blobs/sha256/" + hex.substring(0, 2) + "/" + hex;
    }

    private static void age(Path root, String key, Instant when) throws Exception {
        Files.setLastModifiedTime(root.resolve(key), FileTime.from(when));
    }

    /** A cache as a power loss leaves it: entries written, no clean-shutdown marker. */
    private Path crashedCache(byte[] good, byte[] real) throws Exception {
        Path root = tmp.resolve("cache");
        FileStorage before = new FileStorage(root);
        before.put(blobKey(sha256(good)), good);
        // Its data never reached the disk: the file came back zero-filled.
        before.put(blobKey(sha256(real)), new byte[real.length]);
        before.put("docker/manifests/sha256/00/" + "0".repeat(64), new byte[100]);
        before.put("docker/r/hub/library/x/_tags/latest", new byte[40]);
        before.put("docker/r/hub/library/x/_tags/old", new byte[40]);
        before.put(LINK, new byte[0]);
        // Explicit times, all before the restart below: written in the minutes before the crash, but one.
        Instant now = Instant.now();
        age(root, blobKey(sha256(good)), now.minus(Duration.ofMinutes(1)));
        age(root, blobKey(sha256(real)), now.minus(Duration.ofMinutes(3)));
        age(root, "docker/manifests/sha256/00/" + "0".repeat(64), now.minus(Duration.ofMinutes(2)));
        age(root, "docker/r/hub/library/x/_tags/latest", now.minus(Duration.ofMinutes(1)));
        age(root, "docker/r/hub/library/x/_tags/old", now.minus(Duration.ofHours(2)));
        age(root, LINK, now.minus(Duration.ofMinutes(1)));
        // no before.close(): the process died
        return root;
    }

    @Test
    void afterUncleanShutdown_zeroFilledBlobRemoved_goodBlobKept_recentMetadataRefetched_oldKept() throws Exception {
        byte[] good = random(100_000, 1);
        byte[] real = random(200_000, 2);
        Path root = crashedCache(good, real);
        FileStorage storage = new FileStorage(root);
        assertTrue(storage.uncleanShutdown().isPresent());
        CrashRecovery.Result r;
        try (LogCapture log = new LogCapture("io.binaryrepo")) {
            r = new CrashRecovery(storage).run().orElseThrow();
            assertTrue(log.messages(Level.INFO, "CrashRecovery").stream().anyMatch(m -> m.contains("re-verified")),
                    "progress and the outcome are logged");
            String damaged = blobKey(sha256(real));
            assertEquals(2, log.messages(Level.WARNING, "CrashRecovery").stream()
                    .filter(m -> m.contains("does not match its digest")).count(), "each damaged entry is named");
            assertTrue(log.messages(Level.WARNING, "CrashRecovery").stream().anyMatch(m -> m.contains(damaged)));
        }
        assertTrue(storage.exists(blobKey(sha256(good))), "matching content kept");
        assertFalse(storage.exists(blobKey(sha256(real))), "zero-filled blob removed, fetched again when asked for");
        assertFalse(storage.exists("docker/manifests/sha256/00/" + "0".repeat(64)), "mismatching manifest removed");
        assertFalse(storage.exists("docker/r/hub/library/x/_tags/latest"), "recent metadata removed, fetched again");
        assertTrue(storage.exists("docker/r/hub/library/x/_tags/old"), "written long before the crash: kept");
        assertFalse(storage.exists(LINK), "recent link record removed as metadata, learned again");
        assertEquals(new CrashRecovery.Result(5, 3, 4), r, "the link record is not hashed");
        storage.close();
        assertTrue(new FileStorage(root).uncleanShutdown().isEmpty(), "recovered, then shut down cleanly");
    }

    @Test
    void afterCleanShutdown_nothingReverified() throws Exception {
        Path root = tmp.resolve("cache");
        FileStorage before = new FileStorage(root);
        before.put(blobKey("ab" + "0".repeat(62)), new byte[10]);
        before.close();
        FileStorage storage = new FileStorage(root);
        CrashRecovery recovery = new CrashRecovery(storage);
        assertFalse(recovery.start());
        assertEquals(Optional.of(new CrashRecovery.Result(0, 0, 0)), recovery.run());
        assertTrue(storage.exists(blobKey("ab" + "0".repeat(62))));
    }

    @Test
    void start_runsInTheBackground_entriesOfTheNewRunUntouched() throws Exception {
        byte[] real = random(50_000, 3);
        Path root = crashedCache(random(10, 4), real);
        FileStorage storage = new FileStorage(root);
        // Written by this process after start-up: not the previous process's, never re-verified.
        storage.put("helm/r/index", new byte[5]);
        String damaged = blobKey(sha256(real));
        try (CrashRecovery recovery = new CrashRecovery(storage)) {
            assertTrue(recovery.start());
            Wait.until(Duration.ofSeconds(30), "zero-filled blob removed", () -> !storage.exists(damaged));
            Wait.until(Duration.ofSeconds(30), "recovery finished: a clean close writes the marker", () -> {
                try {
                    storage.close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return Files.exists(root.resolve(FileStorage.CLEAN_MARKER));
            });
        }
        assertTrue(storage.exists("helm/r/index"));
    }
}
