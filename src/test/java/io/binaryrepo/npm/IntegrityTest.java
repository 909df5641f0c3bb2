package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.cache.ContentCheck;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class IntegrityTest {
    private static final byte[] DATA = "tarball bytes".getBytes(StandardCharsets.UTF_8);

    private static byte[] digest(String alg) throws Exception {
        return MessageDigest.getInstance(alg).digest(DATA);
    }

    @Test
    void check_sha512Integrity_isHexOfTheBase64Digest() throws Exception {
        byte[] d = digest("SHA-512");
        ContentCheck c = Integrity.check("sha512-" + Base64.getEncoder().encodeToString(d), null, -1).orElseThrow();
        assertEquals("SHA-512", c.algorithm());
        assertEquals(HexFormat.of().formatHex(d), c.expectedHex());
    }

    @Test
    void check_severalHashes_takesTheStrongest() throws Exception {
        String sri = "sha1-" + Base64.getEncoder().encodeToString(digest("SHA-1")) + " sha256-"
                + Base64.getEncoder().encodeToString(digest("SHA-256")) + " sha512-"
                + Base64.getEncoder().encodeToString(digest("SHA-512"));
        assertEquals("SHA-512", Integrity.check(sri, null, -1).orElseThrow().algorithm());
    }

    @Test
    void check_onlyShasum_isSha1() throws Exception {
        String hex = HexFormat.of().formatHex(digest("SHA-1")).toUpperCase();
        ContentCheck c = Integrity.check(null, hex, -1).orElseThrow();
        assertEquals("SHA-1", c.algorithm());
        assertEquals(hex.toLowerCase(), c.expectedHex());
    }

    @Test
    void check_malformedIntegrity_fallsBackToShasum() throws Exception {
        String hex = HexFormat.of().formatHex(digest("SHA-1"));
        assertEquals("SHA-1", Integrity.check("sha512-not*base64", hex, -1).orElseThrow().algorithm());
        assertEquals("SHA-1", Integrity.check("sha512-AAAA", hex, -1).orElseThrow().algorithm(), "wrong length");
        assertEquals("SHA-1", Integrity.check("md5-" + Base64.getEncoder().encodeToString(digest("MD5")), hex, -1)
                .orElseThrow().algorithm());
    }

    @Test
    void check_nothingUsable_isEmpty() {
        assertTrue(Integrity.check(null, null, -1).isEmpty());
        assertTrue(Integrity.check("", "xyz", -1).isEmpty());
    }
}
