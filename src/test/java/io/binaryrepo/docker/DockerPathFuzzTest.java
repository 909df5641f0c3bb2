package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.binaryrepo.repo.ProxyError;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link DockerPath#parse} on arbitrary strings: either a path that is valid by an independent reading of
 * the OCI distribution spec (and prints back to exactly the input), or a {@link ProxyError} with a 4xx
 * status and an OCI error code; never any other exception. {@code mvn test} replays the inputs under
 * {@code src/test/resources/io/binaryrepo/docker/DockerPathFuzzTestInputs/parse/}; docs/fuzzing.md says
 * how to fuzz.
 *
 * <p>Input layout: the last byte picks the HTTP method, the rest (UTF-8) is the raw path.
 */
class DockerPathFuzzTest {
    private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"};
    /** The OCI distribution spec's name grammar, written out independently of DockerPath. */
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");
    private static final Set<String> CODES = Set.of("NAME_INVALID", "NAME_UNKNOWN", "MANIFEST_UNKNOWN",
            "DIGEST_INVALID", "UNSUPPORTED");

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        String method = data.pickValue(METHODS);
        String raw = data.consumeRemainingAsString();
        DockerPath p;
        try {
            p = DockerPath.parse(raw, method);
        } catch (ProxyError e) {
            assertTrue(e.status() >= 400 && e.status() < 500, () -> "status " + e.status() + " for " + raw);
            assertTrue(CODES.contains(e.code()), () -> "code " + e.code() + " for " + raw);
            assertNotNull(e.getMessage());
            return;
        }
        assertNotNull(p.kind());
        switch (p.kind()) {
            case BASE -> {
                assertTrue(raw.equals("v2") || raw.equals("v2/"), raw);
                assertNull(p.name());
                assertNull(p.tag());
                assertNull(p.digest());
            }
            case MANIFEST -> {
                checkName(p.name(), raw);
                assertTrue(p.tag() == null ^ p.digest() == null, () -> "tag xor digest: " + p);
                String ref;
                if (p.tag() != null) {
                    assertTrue(TAG.matcher(p.tag()).matches(), () -> "tag of " + raw);
                    ref = p.tag();
                } else {
                    ref = checkDigest(p.digest(), raw);
                }
                assertEquals("v2/" + p.name() + "/manifests/" + ref, raw);
            }
            case BLOB -> {
                checkName(p.name(), raw);
                assertNull(p.tag());
                assertEquals("v2/" + p.name() + "/blobs/" + checkDigest(p.digest(), raw), raw);
            }
            case TAGS -> {
                checkName(p.name(), raw);
                assertNull(p.tag());
                assertNull(p.digest());
                assertEquals("v2/" + p.name() + "/tags/list", raw);
            }
            case REFERRERS -> {
                checkName(p.name(), raw);
                assertNull(p.tag());
                assertEquals("v2/" + p.name() + "/referrers/" + checkDigest(p.digest(), raw), raw);
            }
            default -> throw new AssertionError(p.kind());
        }
    }

    private static void checkName(String name, String raw) {
        assertNotNull(name, raw);
        assertTrue(NAME.matcher(name).matches(), () -> "name '" + name + "' of " + raw);
        assertTrue(name.length() <= 255, () -> "name longer than 255: " + raw);
        // What the cache builds file names from: no way out of a directory.
        for (String segment : name.split("/", -1)) {
            assertFalse(segment.isEmpty() || segment.equals(".") || segment.equals(".."), raw);
        }
    }

    private static String checkDigest(Digest d, String raw) {
        assertNotNull(d, raw);
        String s = d.toString();
        assertTrue(DIGEST.matcher(s).matches(), () -> "digest " + s + " of " + raw);
        assertEquals(d, Digest.parse(s));
        assertTrue(d.keyPath().matches("sha(256|512)/[0-9a-f]{2}/[0-9a-f]+"), d::keyPath);
        return s;
    }
}
