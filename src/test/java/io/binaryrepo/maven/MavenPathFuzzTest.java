package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.binaryrepo.repo.ProxyError;
import java.util.regex.Pattern;

/**
 * {@link MavenPath#parse} on arbitrary strings: either a {@link ProxyError} 400, or a path that (1) is
 * exactly what binaryrepo asks upstream for (nothing is normalised, so one request cannot stand for
 * another), (2) parses again to itself, and (3) maps to storage keys (the file's, its checksum records',
 * a listing's) that satisfy the storage grammar, written out here independently of FileStorage. Never any
 * other exception. {@code mvn test} replays the inputs under
 * {@code src/test/resources/io/binaryrepo/maven/MavenPathFuzzTestInputs/parse/}; docs/fuzzing.md says how
 * to fuzz.
 *
 * <p>Input layout: the whole input (UTF-8) is the raw path inside the repository.
 */
class MavenPathFuzzTest {
    /** Storage's key segment grammar ({@code io.binaryrepo.cache.Storage}). */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        String raw = data.consumeRemainingAsString();
        MavenPath p;
        try {
            p = MavenPath.parse(raw);
        } catch (ProxyError e) {
            assertEquals(400, e.status(), () -> "status for " + raw);
            assertNotNull(e.getMessage());
            return;
        }
        assertEquals("/" + raw, p.upstreamPath(), "upstream path of " + raw);
        assertEquals(p, MavenPath.parse(raw));
        switch (p.kind()) {
            case LISTING -> checkKey(p.listingKey(), raw);
            case CHECKSUM -> {
                assertEquals(raw, p.target().path() + "." + p.algorithm().extension());
                checkKey(p.target().key(), raw);
            }
            default -> {
                checkKey(p.key(), raw);
                if (p.immutable()) {
                    for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                        checkKey(p.checksumKey(a), raw);
                    }
                }
            }
        }
    }

    private static void checkKey(String k, String raw) {
        String key = "maven/repository/" + k;
        assertTrue(key.length() <= 1024, () -> "key length " + key.length());
        for (String segment : key.split("/", -1)) {
            assertTrue(SEGMENT.matcher(segment).matches() && !segment.equals(".") && !segment.equals(".."),
                    () -> "segment '" + segment + "' of " + key + " for " + raw);
        }
    }
}
