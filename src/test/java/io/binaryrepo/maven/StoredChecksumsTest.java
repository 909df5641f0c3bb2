package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.cache.FileStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StoredChecksums}: checksums of what is cached, computed from the committed bytes and recorded. */
class StoredChecksumsTest {
    @TempDir
    Path tmp;

    @Test
    void of_cachedArtifact_isTheDigestOfItsBytes_andIsRecorded() throws Exception {
        FileStorage storage = new FileStorage(tmp);
        MavenPath jar = MavenPath.parse("g/a/1/a-1.jar");
        byte[] data = new byte[300_000]; // several chunks
        new Random(7).nextBytes(data);
        storage.put("maven/r/" + jar.key(), data);
        StoredChecksums checksums = new StoredChecksums(storage, "maven/r/");
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance(a.digestName()).digest(data));
            assertEquals(expected, checksums.of(jar, a).orElseThrow(), a.name());
            assertTrue(Files.isRegularFile(tmp.resolve("maven/r/" + jar.checksumKey(a))), "recorded");
            assertEquals(expected, checksums.of(jar, a).orElseThrow(), "from the record");
        }
    }

    @Test
    void of_uncachedArtifact_isEmpty() throws Exception {
        StoredChecksums checksums = new StoredChecksums(new FileStorage(tmp), "maven/r/");
        assertTrue(checksums.of(MavenPath.parse("g/a/1/a-1.jar"), ChecksumAlgorithm.SHA1).isEmpty());
    }
}
