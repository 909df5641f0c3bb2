package io.binaryrepo.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    private static final String HEX64 = "0123456789abcdef".repeat(4);
    private static final String HEX128 = "fedcba9876543210".repeat(8);

    private static Digest.InvalidDigestException reject(String text) {
        return assertThrows(Digest.InvalidDigestException.class, () -> Digest.parse(text));
    }

    @Test
    void parse_sha256_splitIntoAlgorithmAndHex() {
        Digest d = Digest.parse("sha256:" + HEX64);
        assertEquals("sha256", d.algorithm());
        assertEquals(HEX64, d.hex());
        assertEquals("SHA-256", d.javaAlgorithm());
    }

    @Test
    void parse_sha512_splitIntoAlgorithmAndHex() {
        Digest d = Digest.parse("sha512:" + HEX128);
        assertEquals("sha512", d.algorithm());
        assertEquals(HEX128, d.hex());
        assertEquals("SHA-512", d.javaAlgorithm());
    }

    @ParameterizedTest(name = "[{0}]")
    @NullAndEmptySource
    void parse_nullOrEmpty_rejectedAsEmpty(String text) {
        assertEquals("empty digest", reject(text).getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"sha256", "latest", "sha256" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void parse_noColon_rejectedAsMissingAlgorithm(String text) {
        assertEquals("digest '" + text + "' has no algorithm (expected sha256:<64 hex>)", reject(text).getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"md5", "sha1", "sha384", "blake3", "sha256+b64u"})
    void parse_unsupportedAlgorithm_rejectedListingSupported(String alg) {
        assertEquals("unsupported digest algorithm '" + alg + "' (supported: sha256, sha512)",
                reject(alg + ":" + HEX64).getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "SHA256", "sha 256", "sha256.", "-sha256", "sha/256"})
    void parse_malformedAlgorithm_rejected(String alg) {
        String text = alg + ":" + HEX64;
        assertEquals("malformed digest algorithm in '" + text + "'", reject(text).getMessage());
    }

    static Stream<Arguments> badHex() {
        return Stream.of(
                Arguments.of("sha256", HEX64.toUpperCase()),
                Arguments.of("sha256", "A" + HEX64.substring(1)),
                Arguments.of("sha256", HEX64.substring(1)),
                Arguments.of("sha256", HEX64 + "0"),
                Arguments.of("sha256", ""),
                Arguments.of("sha256", "g" + HEX64.substring(1)),
                Arguments.of("sha256", HEX64.substring(1) + " "),
                Arguments.of("sha256", HEX64 + "\n"),
                Arguments.of("sha256", HEX64.substring(2) + ".."),
                Arguments.of("sha256", HEX64.substring(1) + "/"),
                Arguments.of("sha256", HEX128),
                Arguments.of("sha512", HEX64),
                Arguments.of("sha512", HEX128.toUpperCase()),
                Arguments.of("sha512", HEX128 + "a"));
    }

    @ParameterizedTest(name = "{0}:{1}")
    @MethodSource("badHex")
    void parse_uppercaseShortLongOrNonHex_rejectedWithLengthAndCaseMessage(String alg, String hex) {
        String text = alg + ":" + hex;
        int length = alg.equals("sha256") ? 64 : 128;
        assertEquals("digest '" + text + "' must be " + alg + ": followed by " + length + " lowercase hex characters",
                reject(text).getMessage());
    }

    @Test
    void parse_secondColon_rejected() {
        String text = "sha256:" + HEX64.substring(0, 32) + ":" + HEX64.substring(33);
        assertTrue(reject(text).getMessage().contains("64 lowercase hex characters"));
    }

    @Test
    void parse_longerThan256Characters_rejectedBeforeEchoingIt() {
        String text = "sha256:" + "a".repeat(250);
        assertEquals(257, text.length());
        assertEquals("digest longer than 256 characters", reject(text).getMessage());
    }

    @Test
    void invalidDigestException_isIllegalArgumentException() {
        assertTrue(reject("x") instanceof IllegalArgumentException);
    }

    @Test
    void sha256_ofBytes_matchesMessageDigest() throws Exception {
        byte[] data = "hello, registry\n".getBytes(StandardCharsets.UTF_8);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));

        Digest d = Digest.sha256(data);

        assertEquals(new Digest("sha256", expected), d);
    }

    @Test
    void sha256_ofEmpty_isWellKnownValue() {
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Digest.sha256(new byte[0]).toString());
    }

    @Test
    void of_usesThisDigestsAlgorithm() throws Exception {
        byte[] data = {1, 2, 3};
        Digest sha512 = Digest.parse("sha512:" + HEX128).of(data);
        assertEquals("sha512", sha512.algorithm());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(data)), sha512.hex());

        Digest sha256 = Digest.parse("sha256:" + HEX64).of(data);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), sha256.hex());
        assertNotEquals(sha256, Digest.parse("sha256:" + HEX64));
    }

    @Test
    void keyPath_isAlgorithmFanOutAndHex() {
        assertEquals("sha256/01/" + HEX64, Digest.parse("sha256:" + HEX64).keyPath());
        assertEquals("sha512/fe/" + HEX128, Digest.parse("sha512:" + HEX128).keyPath());
    }

    static Stream<String> wellFormed() {
        return Stream.of("sha256:" + HEX64, "sha512:" + HEX128,
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormed")
    void toString_roundTripsThroughParse(String text) {
        Digest d = Digest.parse(text);
        assertEquals(text, d.toString());
        assertEquals(d, Digest.parse(d.toString()));
    }
}
