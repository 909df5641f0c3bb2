package io.binaryrepo.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Checksums}: upstream checksums from headers and sidecars of every shape seen on real repositories. */
class ChecksumsTest {
    private static final String SHA1 = "1ed471194b02f2c6cb734a0cd6f6f107c673afae";
    private static final String MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    @Test
    void fromHeaders_strongestWins() {
        String sha256 = "ab".repeat(32);
        Optional<ExpectedChecksum> c = Checksums.fromHeaders(Map.of("X-Checksum-Md5", MD5, "X-Checksum-Sha1", SHA1,
                "X-Checksum-Sha256", sha256)::get);
        assertEquals(ChecksumAlgorithm.SHA256, c.orElseThrow().algorithm());
        assertEquals(sha256, c.get().hex());
        assertEquals(ChecksumAlgorithm.SHA1,
                Checksums.fromHeaders(Map.of("X-Checksum-Md5", MD5, "X-Checksum-Sha1", SHA1)::get).orElseThrow().algorithm());
        assertEquals(ChecksumAlgorithm.MD5, Checksums.fromHeaders(Map.of("X-Checksum-Md5", MD5)::get).orElseThrow().algorithm());
    }

    @Test
    void fromHeaders_uppercaseIsNormalised_invalidIsIgnored() {
        assertEquals(SHA1, Checksums.fromHeaders(Map.of("X-Checksum-Sha1", " " + SHA1.toUpperCase() + " ")::get)
                .orElseThrow().hex());
        Optional<ExpectedChecksum> c = Checksums.fromHeaders(Map.of("X-Checksum-Sha1", "not-a-sha1",
                "X-Checksum-Md5", MD5)::get);
        assertEquals(ChecksumAlgorithm.MD5, c.orElseThrow().algorithm());
        assertTrue(Checksums.fromHeaders(Map.of("X-Checksum-Sha1", SHA1 + "00")::get).isEmpty());
        assertTrue(Checksums.fromHeaders(Map.<String, String>of()::get).isEmpty());
    }

    @Test
    void fromSidecar_bareHex() {
        assertEquals(SHA1, sidecar(SHA1).orElseThrow().hex());
        assertEquals(SHA1, sidecar(SHA1 + "\n").orElseThrow().hex());
        assertEquals(SHA1, sidecar(SHA1.toUpperCase() + "\r\n").orElseThrow().hex());
    }

    @Test
    void fromSidecar_sha1sumFormat_takesFirstToken() {
        assertEquals(SHA1, sidecar(SHA1 + "  commons-lang3-3.14.0.jar\n").orElseThrow().hex());
        assertEquals(SHA1, sidecar(SHA1 + " *commons-lang3-3.14.0.jar").orElseThrow().hex());
    }

    @Test
    void fromSidecar_bsdFormat_takesLastToken() {
        assertEquals(SHA1, sidecar("SHA1 (commons-lang3-3.14.0.jar) = " + SHA1 + "\n").orElseThrow().hex());
    }

    @Test
    void fromSidecar_garbage_isNoChecksum() {
        assertTrue(sidecar("").isEmpty());
        assertTrue(sidecar("<html><body>Not Found</body></html>").isEmpty());
        assertTrue(sidecar(MD5).isEmpty()); // an md5 in a .sha1 file is not a sha1
        assertTrue(sidecar(SHA1 + " ".repeat(Checksums.MAX_SIDECAR_BYTES)).isEmpty());
    }

    @Test
    void expectedChecksum_becomesContentCheckOfItsAlgorithm() {
        var check = new ExpectedChecksum(ChecksumAlgorithm.SHA1, SHA1, "test").toContentCheck(12);
        assertEquals("SHA-1", check.algorithm());
        assertEquals(SHA1, check.expectedHex());
        assertEquals(12, check.expectedSize());
    }

    @Test
    void sidecarBody_isBareHexOfTheDigest() {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(ChecksumAlgorithm.SHA1.newDigest().digest(data));
        assertEquals("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", new String(Checksums.sidecarBody(hex), StandardCharsets.US_ASCII));
    }

    private static Optional<ExpectedChecksum> sidecar(String body) {
        return Checksums.fromSidecar(body.getBytes(StandardCharsets.UTF_8), ChecksumAlgorithm.SHA1, "x.jar.sha1");
    }
}
