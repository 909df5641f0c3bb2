package io.binaryrepo.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What downloaded content must be before it may be committed: its digest and, when known, its size.
 *
 * @param algorithm a {@link MessageDigest} algorithm name such as {@code SHA-256}
 * @param expectedHex the expected digest, lowercase hex; null when only the size can be checked (the
 *     client verifies the content itself, as the go command does with the checksum database)
 * @param expectedSize the expected size in bytes, or -1 when unknown
 */
public record ContentCheck(String algorithm, String expectedHex, long expectedSize) {

    public ContentCheck {
        Objects.requireNonNull(algorithm, "algorithm");
        newDigest(algorithm);
    }

    MessageDigest newDigest() {
        return newDigest(algorithm);
    }

    boolean matches(MessageDigest digest) {
        return expectedHex == null || HexFormat.of().formatHex(digest.digest()).equals(expectedHex);
    }

    /** A check of the size alone (-1: the announced length), for content without a known digest. */
    public static ContentCheck sizeOnly(long expectedSize) {
        return new ContentCheck("SHA-256", null, expectedSize);
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unsupported digest algorithm " + algorithm, e);
        }
    }
}
