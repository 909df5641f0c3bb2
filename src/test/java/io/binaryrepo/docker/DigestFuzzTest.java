package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link Digest#parse} on arbitrary strings: a digest that is safe as a file name and prints back to
 * exactly the input, or an {@link Digest.InvalidDigestException} with a message; nothing else. Regression
 * inputs: {@code src/test/resources/io/binaryrepo/docker/DigestFuzzTestInputs/parse/} (UTF-8 text).
 */
class DigestFuzzTest {

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Digest d;
        try {
            d = Digest.parse(text);
        } catch (Digest.InvalidDigestException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertEquals(text, d.toString());
        assertTrue(text.matches("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}"), text);
        assertTrue(d.keyPath().matches("sha(256|512)/[0-9a-f]{2}/[0-9a-f]{64}([0-9a-f]{64})?"), d::keyPath);
        assertEquals(d, Digest.parse(d.toString()));
        // The digest of some data with the same algorithm is itself a valid digest of that algorithm.
        Digest of = d.of(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(d.algorithm(), of.algorithm());
        assertEquals(of, Digest.parse(of.toString()));
    }
}
