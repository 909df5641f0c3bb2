package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.binaryrepo.repo.ProxyError;
import java.util.regex.Pattern;

/**
 * {@link GoPath#parse} on arbitrary strings: either a {@link ProxyError} 400 or 404, or a path that (1) is
 * exactly what binaryrepo asks upstream for, apart from {@code %21} decoded to {@code !} (nothing is
 * normalized, so one request cannot stand for another), (2) parses again to itself from that upstream
 * form, and (3) maps to a storage key that satisfies the storage grammar, written out here
 * independently of FileStorage. Never any other exception. {@code mvn test} replays the inputs under
 * {@code src/test/resources/io/binaryrepo/gomod/GoPathFuzzTestInputs/parse/}; docs/fuzzing.md says how to
 * fuzz.
 *
 * <p>Input layout: the whole input (UTF-8) is the raw path inside the repository.
 */
class GoPathFuzzTest {
    /** Storage's key segment grammar ({@code io.binaryrepo.cache.Storage}). */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        String raw = data.consumeRemainingAsString();
        GoPath p;
        try {
            p = GoPath.parse(raw);
        } catch (ProxyError e) {
            assertTrue(e.status() == 400 || e.status() == 404, () -> "status " + e.status() + " for " + raw);
            assertNotNull(e.getMessage());
            return;
        }
        String upstream = p.upstreamPath();
        assertEquals("/" + raw.replace("%21", "!"), upstream, "upstream path of " + raw);
        assertEquals(p, GoPath.parse(upstream.substring(1)), "reparsed " + upstream);
        String key = "go/repository/" + p.key();
        assertTrue(key.length() <= 1024, () -> "key length " + key.length());
        for (String segment : key.split("/", -1)) {
            assertTrue(SEGMENT.matcher(segment).matches() && !segment.equals(".") && !segment.equals(".."),
                    () -> "segment '" + segment + "' of " + key + " for " + raw);
        }
        if (p.module() != null) {
            assertEquals(null, ModulePath.check(p.module()), p.module());
        }
    }
}
